package com.latticeengine.api;

import com.latticeengine.support.AuthEnabledProfile;
import com.latticeengine.support.Lattice;
import io.restassured.http.ContentType;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.latticeengine.support.AuthEnabledProfile.ADMIN;
import static com.latticeengine.support.AuthEnabledProfile.OPERATOR_ACME;
import static com.latticeengine.support.AuthEnabledProfile.OPERATOR_GLOBEX;
import static com.latticeengine.support.AuthEnabledProfile.VIEWER_ACME;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication, roles and tenants over real HTTP with auth on: one table of every /api
 * endpoint, each asked without credentials, with rejected credentials (an unknown key; JWTs
 * signed with another key, expired, from another issuer, for another audience), with a role
 * too low, and from another tenant; once with API keys and once with JWTs.
 */
@QuarkusTest
@TestProfile(AuthEnabledProfile.class)
class AuthMatrixTest {

    /** One endpoint: method, path template ({run}, {task}) and whether it writes. */
    private record Endpoint(String method, String path, boolean write, boolean perRun) {
        String path(String run) {
            return path.replace("{run}", run).replace("{task}", "A");
        }
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/me", false, false),
            new Endpoint("GET", "/api/runs", false, false),
            new Endpoint("POST", "/api/runs", true, false),
            new Endpoint("GET", "/api/runs/{run}", false, true),
            new Endpoint("GET", "/api/runs/{run}/tasks", false, true),
            new Endpoint("GET", "/api/runs/{run}/tasks/{task}", false, true),
            new Endpoint("GET", "/api/runs/{run}/events", false, true),
            new Endpoint("GET", "/api/runs/{run}/graph", false, true),
            new Endpoint("GET", "/api/runs/{run}/deliveries", false, true),
            new Endpoint("POST", "/api/runs/{run}/cancel", true, true),
            new Endpoint("POST", "/api/runs/{run}/pause", true, true),
            new Endpoint("POST", "/api/runs/{run}/resume", true, true),
            new Endpoint("POST", "/api/runs/{run}/rerun", true, true),
            new Endpoint("POST", "/api/runs/{run}/tasks/{task}/rerun", true, true));

    /** The callers of one credential kind. */
    private record Credentials(String kind, Header viewerAcme, Header operatorAcme, Header operatorGlobex,
                               Header admin, List<Header> rejected) {
    }

    private static Header key(String key) {
        return new Header("X-API-Key", key);
    }

    private static Header bearer(String jwt) {
        return new Header("Authorization", "Bearer " + jwt);
    }

    private static Credentials apiKeys() {
        return new Credentials("API key", key(VIEWER_ACME), key(OPERATOR_ACME), key(OPERATOR_GLOBEX), key(ADMIN),
                List.of(key("lk-not-a-key"), key(OPERATOR_ACME + "x"), key("")));
    }

    private static Credentials jwts() {
        Instant past = Instant.now().minusSeconds(7200);
        return new Credentials("JWT",
                bearer(AuthEnabledProfile.jwt("vera", "viewer", "acme")),
                bearer(AuthEnabledProfile.jwt("olga", "operator", "acme")),
                bearer(AuthEnabledProfile.jwt("gus", "operator", "globex")),
                bearer(AuthEnabledProfile.jwt("ada", "admin", null)),
                List.of(bearer(AuthEnabledProfile.sign(AuthEnabledProfile.claims("olga", "operator", "acme"),
                                AuthEnabledProfile.strangerKey())),
                        bearer(AuthEnabledProfile.sign(AuthEnabledProfile.claims("olga", "operator", "acme")
                                .issuedAt(past).expiresAt(past.plusSeconds(600)), AuthEnabledProfile.privateKey())),
                        bearer(AuthEnabledProfile.sign(AuthEnabledProfile.claims("olga", "operator", "acme")
                                .issuer("https://someone-else.test"), AuthEnabledProfile.privateKey())),
                        bearer(AuthEnabledProfile.sign(AuthEnabledProfile.claims("olga", "operator", "acme")
                                .audience("another-service"), AuthEnabledProfile.privateKey())),
                        bearer(AuthEnabledProfile.jwt("nobody", "auditor", "acme")),
                        bearer(AuthEnabledProfile.jwt("olga", "operator", null)),
                        bearer("not.a.jwt")));
    }

    @Test
    void everyEndpointAnswers401And403AndHidesOtherTenantsRunsForApiKeysAndJwts() {
        List<String> wrong = new ArrayList<>();
        for (Credentials credentials : List.of(apiKeys(), jwts())) {
            String run = submit(credentials.operatorAcme(), null);
            awaitEnd(credentials.operatorAcme(), run);
            for (Endpoint endpoint : ENDPOINTS) {
                String path = endpoint.path(run);
                String what = credentials.kind() + " " + endpoint.method() + " " + endpoint.path();
                expect(wrong, what + " without credentials", call(endpoint, path, null), 401);
                for (Header rejected : credentials.rejected()) {
                    expect(wrong, what + " with rejected " + rejected.getValue().substring(0, Math.min(20,
                            rejected.getValue().length())) + "...", call(endpoint, path, rejected), 401);
                }
                Response asViewer = call(endpoint, path, credentials.viewerAcme());
                if (endpoint.write()) {
                    expect(wrong, what + " as viewer", asViewer, 403);
                } else {
                    expectAllowed(wrong, what + " as viewer", asViewer);
                }
                expectAllowed(wrong, what + " as operator of the tenant", call(endpoint, path, credentials.operatorAcme()));
                expectAllowed(wrong, what + " as admin", call(endpoint, path, credentials.admin()));
                if (endpoint.perRun()) {
                    expect(wrong, what + " from another tenant", call(endpoint, path, credentials.operatorGlobex()), 404);
                }
            }
            List<String> globexList = given().header(credentials.operatorGlobex()).get("/api/runs?size=1000")
                    .then().statusCode(200).extract().path("id");
            if (globexList.contains(run)) {
                wrong.add(credentials.kind() + ": another tenant's list shows run " + run);
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " unexpected answers:\n" + String.join("\n", wrong));
    }

    @Test
    void anIdempotencyKeyReusedByAnotherTenantMakesThatTenantsOwnRun() {
        String key = "shared-" + UUID.randomUUID();
        String acme = submit(key(OPERATOR_ACME), key);
        String globex = given().header(key(OPERATOR_GLOBEX)).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body(Lattice.create().project("A", 1).body()).post("/api/runs")
                .then().statusCode(201).body("tenant", org.hamcrest.Matchers.equalTo("globex")).extract().path("id");
        assertNotEquals(acme, globex);
        String again = given().header(key(OPERATOR_ACME)).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body(Lattice.create().project("A", 1).body()).post("/api/runs")
                .then().statusCode(200).extract().path("id");
        assertEquals(acme, again, "the same tenant's retry returns its first run");

        List<Map<String, Object>> all = given().header(key(ADMIN)).get("/api/runs?size=1000")
                .then().statusCode(200).extract().path("");
        Map<String, Object> seenAcme = all.stream().filter(r -> acme.equals(r.get("id"))).findFirst().orElseThrow();
        Map<String, Object> seenGlobex = all.stream().filter(r -> globex.equals(r.get("id"))).findFirst().orElseThrow();
        assertEquals("acme", seenAcme.get("tenant"), "the admin sees each run's tenant");
        assertEquals("globex", seenGlobex.get("tenant"));
        List<String> acmeList = given().header(key(VIEWER_ACME)).get("/api/runs?size=1000").then().statusCode(200)
                .extract().path("id");
        assertTrue(acmeList.contains(acme));
        assertFalse(acmeList.contains(globex), "acme never sees globex's run");
        given().header(key(ADMIN)).get("/api/runs/" + globex).then().statusCode(200)
                .body("tenant", org.hamcrest.Matchers.equalTo("globex"));
        awaitEnd(key(OPERATOR_ACME), acme);
        awaitEnd(key(OPERATOR_GLOBEX), globex);
    }

    @Test
    void unauthorizedAndForbiddenAreProblemsAndTheCallerIsShown() {
        given().post("/api/runs").then().statusCode(401)
                .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
                .header("WWW-Authenticate", org.hamcrest.Matchers.notNullValue())
                .body("status", org.hamcrest.Matchers.equalTo(401));
        List<String> challenges = given().get("/api/runs").then().statusCode(401).extract().headers()
                .getValues("WWW-Authenticate");
        assertTrue(challenges.stream().anyMatch(c -> c.startsWith("Bearer ")), "challenges: " + challenges);
        assertTrue(challenges.stream().anyMatch(c -> c.startsWith("ApiKey ")), "challenges: " + challenges);
        given().header(key(VIEWER_ACME)).contentType(ContentType.JSON).body("{}").post("/api/runs")
                .then().statusCode(403).contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
                .body("detail", org.hamcrest.Matchers.containsString("needs operator"));
        given().header(bearer(AuthEnabledProfile.jwt("olga", "operator", "acme"))).get("/api/me").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.equalTo("olga")).body("role", org.hamcrest.Matchers.equalTo("operator"))
                .body("tenant", org.hamcrest.Matchers.equalTo("acme")).body("via", org.hamcrest.Matchers.equalTo("jwt"));
    }

    @Test
    void pageShellsLoadWithoutCredentialsUnderAStrictContentSecurityPolicy() {
        for (String page : List.of("/", "/runs/" + UUID.randomUUID(), "/submit")) {
            Response response = given().get(page);
            assertEquals(200, response.statusCode(), page);
            String csp = response.getHeader("Content-Security-Policy");
            assertTrue(csp != null && csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'")
                    && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), page + ": CSP " + csp);
            assertEquals("nosniff", response.getHeader("X-Content-Type-Options"), page);
        }
        assertEquals(null, given().header(key(VIEWER_ACME)).get("/api/runs").getHeader("Content-Security-Policy"),
                "JSON answers need no page policy");
    }

    @Test
    void probesAndMetricsStayOpenAndResponsesAreNotSniffed() {
        given().get("/q/health/ready").then().statusCode(200).header("X-Content-Type-Options", "nosniff");
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/api/runs").then().statusCode(401).header("X-Content-Type-Options", "nosniff");
        given().header(key(VIEWER_ACME)).get("/api/runs").then().statusCode(200).header("X-Content-Type-Options", "nosniff");
    }

    @Test
    void corsAnswersOnlyTheConfiguredOrigin() {
        given().header("Origin", "https://ui.lattice.test").header(key(VIEWER_ACME)).get("/api/runs")
                .then().statusCode(200).header("Access-Control-Allow-Origin", "https://ui.lattice.test");
        Response other = given().header("Origin", "https://evil.example").header(key(VIEWER_ACME)).get("/api/runs");
        assertEquals(null, other.getHeader("Access-Control-Allow-Origin"), "a foreign origin is never allowed");
    }

    private static String submit(Header credentials, String idempotencyKey) {
        RequestSpecification request = given().header(credentials).contentType(ContentType.JSON)
                .body(Lattice.create().project("A", 1).body());
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.post("/api/runs").then().statusCode(201).extract().path("id");
    }

    private static void awaitEnd(Header credentials, String run) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            String state = given().header(credentials).get("/api/runs/" + run).then().statusCode(200)
                    .extract().path("state");
            if (!"RUNNING".equals(state)) {
                return;
            }
            com.latticeengine.support.Api.sleep(50);
        }
        throw new AssertionError("run " + run + " still RUNNING after 30 s");
    }

    private static Response call(Endpoint endpoint, String path, Header credentials) {
        RequestSpecification request = given().redirects().follow(false);
        if (credentials != null) {
            request.header(credentials);
        }
        if (endpoint.method().equals("POST")) {
            request.contentType(ContentType.JSON).body(Lattice.create().project("A", 1).body());
            return request.post(path);
        }
        return request.get(path);
    }

    private static void expect(List<String> wrong, String what, Response response, int status) {
        if (response.statusCode() != status) {
            wrong.add(what + ": expected " + status + ", got " + response.statusCode() + " " + response.asString());
        } else if (!String.valueOf(response.contentType()).startsWith("application/problem+json")) {
            wrong.add(what + ": " + status + " is not problem+json but " + response.contentType());
        } else if (status == 401 && response.getHeader("WWW-Authenticate") == null) {
            wrong.add(what + ": 401 without WWW-Authenticate");
        }
    }

    /** Allowed = the endpoint's own answer: 2xx, or a 409 for a state conflict (cancel of a finished run). */
    private static void expectAllowed(List<String> wrong, String what, Response response) {
        int status = response.statusCode();
        if (!(status >= 200 && status < 300) && status != 409) {
            wrong.add(what + ": expected the endpoint's answer, got " + status + " " + response.asString());
        }
    }
}
