package com.latticeengine.api;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

/** The budget over HTTP: submission and PATCH validation, the run view's budget, 404 and 409. */
@QuarkusTest
class BudgetApiTest {

    @Test
    void aSubmittedBudgetShowsInTheRunViewAndBadValuesAreRefusedByName() {
        String run = Api.submit(Lattice.create().project("Slow", 1, null, Map.of("latency_ms", 5_000))
                .option("budget", Map.of("max_tokens", 1_000)));
        given().get("/api/runs/" + run).then().statusCode(200)
                .body("budget.max_tokens", equalTo(1000)).body("budget.max_cost_usd", nullValue())
                .body("budget.spent.tokens", equalTo(0)).body("budget.reserved.tokens", equalTo(0));

        given().contentType("application/json").body("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\","
                        + "\"layer\":1}]},\"budget\":{\"max_tokens\":0,\"max_cost_usd\":\"1\",\"max_calls\":3}}")
                .post("/api/runs").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("budget.max_tokens")).body("errors.field", hasItem("budget.max_cost_usd"))
                .body("errors.field", hasItem("budget.max_calls"));
        given().contentType("application/json").body("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\","
                + "\"layer\":1}]},\"budget\":{}}").post("/api/runs").then().statusCode(400).body("errors[0].field", equalTo("budget"));

        given().contentType("application/json").body("{\"budget\":{\"max_cost_usd\":-1}}").patch("/api/runs/" + run)
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("budget.max_cost_usd"));
        given().contentType("application/json").body("{\"state\":\"RUNNING\"}").patch("/api/runs/" + run)
                .then().statusCode(400).body("errors.field", hasItem("state"));
        given().contentType("application/json").body("{\"budget\":{\"max_cost_usd\":2.5}}").patch("/api/runs/" + run)
                .then().statusCode(200).body("budget.max_tokens", equalTo(1000)).body("budget.max_cost_usd", equalTo(2.5f));
        given().contentType("application/json").body("{\"budget\":{\"max_tokens\":null}}").patch("/api/runs/" + run)
                .then().statusCode(200).body("budget.max_tokens", nullValue()).body("budget.max_cost_usd", equalTo(2.5f));
        given().contentType("application/json").body("{\"budget\":{\"max_tokens\":5}}")
                .patch("/api/runs/" + UUID.randomUUID()).then().statusCode(404);

        given().post("/api/runs/" + run + "/cancel").then().statusCode(200);
        given().contentType("application/json").body("{\"budget\":{\"max_tokens\":5}}").patch("/api/runs/" + run)
                .then().statusCode(409).contentType("application/problem+json");
    }
}
