package com.latticeengine.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Without lattice.cors.origins no other origin may read the API from a browser (AuthMatrixTest: with it). */
@QuarkusTest
class CorsOffByDefaultTest {

    @Test
    void noOriginIsAllowedWhenNoneIsConfigured() {
        Response simple = given().header("Origin", "https://evil.example").get("/api/runs");
        assertEquals(null, simple.getHeader("Access-Control-Allow-Origin"), "a simple cross-origin GET is not allowed");
        Response preflight = given().header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST").options("/api/runs");
        assertEquals(null, preflight.getHeader("Access-Control-Allow-Origin"), "a preflight is not allowed");
        assertNotEquals("*", given().get("/api/runs").getHeader("Access-Control-Allow-Origin"));
    }
}
