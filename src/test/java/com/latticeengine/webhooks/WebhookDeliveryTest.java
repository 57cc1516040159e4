package com.latticeengine.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import com.latticeengine.support.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks end to end through the running application: a real HTTP receiver on 127.0.0.1 (the test
 * profile allows private addresses), the test profile's secret and short backoff.
 */
@QuarkusTest
class WebhookDeliveryTest {

    private static final String SECRET = "test-only-webhook-secret";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void aReceiverThatRefusesForFiveSecondsGetsTheSameSignedDeliveryUntilItAccepts() throws Exception {
        long[] firstAt = {0};
        try (WebhookReceiver receiver = new WebhookReceiver(request -> {
            synchronized (firstAt) {
                if (firstAt[0] == 0) {
                    firstAt[0] = request.receivedAtNanos();
                }
                return request.receivedAtNanos() - firstAt[0] < 5_000_000_000L ? 500 : 204;
            }
        })) {
            String run = Api.submit(Lattice.create().project("A", 1).project("B", 2, "A")
                    .option("callback", Map.of("url", receiver.url("/hooks/lattice"))));
            assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));

            JsonPath delivered = awaitDeliveries(run, d -> "DELIVERED".equals(d.getString("[0].status")));
            List<WebhookReceiver.Request> requests = receiver.requests();
            assertTrue(requests.size() >= 3, "expected several refused attempts before the accepted one: " + requests.size());
            long spanMs = (requests.get(requests.size() - 1).receivedAtNanos() - requests.get(0).receivedAtNanos()) / 1_000_000;
            assertTrue(spanMs >= 5_000, "accepted only after 5 s, got " + spanMs + " ms");

            String deliveryId = delivered.getString("[0].id");
            for (WebhookReceiver.Request r : requests) {
                assertEquals(deliveryId, r.header("X-Lattice-Delivery"), "same delivery id on every attempt");
                assertEquals("run.finished", r.header("X-Lattice-Event"));
                assertEquals(Signature.of(SECRET, r.body()), r.header("X-Lattice-Signature"));
                assertEquals("application/json", r.header("Content-Type"));
            }
            assertEquals(1, requests.stream().map(WebhookReceiver.Request::bodyText).distinct().count(),
                    "every retry sends the same bytes");

            JsonNode body = MAPPER.readTree(requests.get(0).body());
            assertEquals(deliveryId, body.path("delivery_id").asText());
            assertEquals("run.finished", body.path("event").asText());
            assertEquals(run, body.path("run_id").asText());
            assertEquals("SUCCEEDED", body.path("state").asText());
            assertTrue(body.path("paused_reason").isNull());
            assertEquals("default", body.path("tenant").asText());
            assertEquals(2, body.path("counts").path("succeeded").asInt());
            assertEquals(0, body.path("usage").path("calls").asInt());
            assertTrue(body.hasNonNull("occurred_at"));

            assertEquals(requests.size(), delivered.getInt("[0].attempts"));
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("lattice_webhook_attempts_total{outcome=\"delivered\"}"), "delivered counter");
            assertTrue(metricValue(metrics, "retrying") >= requests.size() - 1, "each refused attempt counted");
            assertEquals(204, delivered.getInt("[0].last_status_code"));
            assertNull(delivered.get("[0].next_attempt_at"));
        }
    }

    @Test
    void anOperatorsPauseAndTheEndAreDeliveredToARunSubscribedToBoth() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(request -> 200)) {
            String run = Api.submit(Lattice.create().project("Slow", 1, null, Map.of("latency_ms", 2_000))
                    .project("Next", 2, "Slow")
                    .option("callback", Map.of("url", receiver.url("/"), "events", List.of("run.paused", "run.finished"))));
            Api.awaitRun(run, LIMIT, view -> view.getInt("counts.running") == 1);
            given().post("/api/runs/" + run + "/pause").then().statusCode(200);
            given().post("/api/runs/" + run + "/resume").then().statusCode(200);
            Api.awaitRunEnd(run, LIMIT);

            List<WebhookReceiver.Request> requests = receiver.await("run.paused and run.finished", LIMIT, r -> r.size() == 2);
            Map<String, JsonNode> byEvent = requests.stream().map(r -> read(r.bodyText()))
                    .collect(Collectors.toMap(b -> b.path("event").asText(), b -> b));
            assertEquals(Set.of("run.paused", "run.finished"), byEvent.keySet());
            assertEquals("PAUSED", byEvent.get("run.paused").path("state").asText());
            assertEquals("operator", byEvent.get("run.paused").path("paused_reason").asText());
            assertEquals("SUCCEEDED", byEvent.get("run.finished").path("state").asText());
            JsonPath deliveries = awaitDeliveries(run, d -> d.getList("status").equals(List.of("DELIVERED", "DELIVERED")));
            assertEquals(List.of("run.paused", "run.finished"), deliveries.getList("event"));
        }
    }

    @Test
    void aTaskStoppedAtAReviewGateIsDeliveredWithItsNameAndTheRunsEndAfterTheApproval() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(request -> 200)) {
            String run = Api.submit(Lattice.create().project("A", 1).project("B", 2, "A")
                    .field("A", "review", Map.of("always", true))
                    .option("callback", Map.of("url", receiver.url("/"),
                            "events", List.of("task.awaiting_review", "run.finished"))));
            JsonNode review = read(receiver.await("task.awaiting_review", LIMIT, r -> r.size() == 1).get(0).bodyText());
            assertEquals("task.awaiting_review", review.path("event").asText());
            assertEquals("A", review.path("task_name").asText());
            assertEquals("RUNNING", review.path("state").asText());
            assertEquals(1, review.path("counts").path("awaiting_review").asInt());

            given().contentType(ContentType.JSON).body(Map.of("decision", "approve"))
                    .post("/api/runs/" + run + "/tasks/A/review").then().statusCode(200);
            assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));
            JsonNode finished = read(receiver.await("run.finished", LIMIT, r -> r.size() == 2).get(1).bodyText());
            assertEquals("run.finished", finished.path("event").asText());
            assertEquals(2, finished.path("counts").path("succeeded").asInt());
        }
    }

    @Test
    void aCallbackWithItsOwnSecretIsSignedWithItAndTheSecretIsNeverShown() throws Exception {
        String ownSecret = "tenant-b-receiver-" + java.util.UUID.randomUUID();
        try (WebhookReceiver receiver = new WebhookReceiver(request -> 200)) {
            String run = Api.submit(Lattice.create().project("A", 1)
                    .option("callback", Map.of("url", receiver.url("/"), "secret", ownSecret)));
            Api.awaitRunEnd(run, LIMIT);
            WebhookReceiver.Request request = receiver.await("run.finished", LIMIT, r -> r.size() == 1).get(0);
            assertEquals(Signature.of(ownSecret, request.body()), request.header("X-Lattice-Signature"));
            assertNotEquals(Signature.of(SECRET, request.body()), request.header("X-Lattice-Signature"),
                    "the server's secret must not verify a callback that brought its own");

            List<String> shown = List.of(request.bodyText(),
                    given().get("/api/runs/" + run).then().statusCode(200).extract().asString(),
                    given().get("/api/runs/" + run + "/deliveries").then().statusCode(200).extract().asString(),
                    given().get("/api/runs/" + run + "/tasks/A").then().statusCode(200).extract().asString(),
                    given().get("/api/runs?size=50").then().statusCode(200).extract().asString());
            for (String text : shown) {
                assertFalse(text.contains(ownSecret), "the callback secret was shown: " + text);
            }
        }
    }

    @Test
    void aRunWithoutACallbackOrNotSubscribedToTheEventGetsNoDelivery() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(request -> 200)) {
            String plain = Api.submit(Lattice.create().project("A", 1));
            String pausedOnly = Api.submit(Lattice.create().project("A", 1)
                    .option("callback", Map.of("url", receiver.url("/"), "events", List.of("run.paused"))));
            Api.awaitRunEnd(plain, LIMIT);
            Api.awaitRunEnd(pausedOnly, LIMIT);
            Api.sleep(2_500);  // two sender polls
            assertEquals(List.of(), receiver.requests());
            given().get("/api/runs/" + plain + "/deliveries").then().statusCode(200).body("size()", equalTo(0));
            given().get("/api/runs/" + pausedOnly + "/deliveries").then().statusCode(200).body("size()", equalTo(0));
        }
    }

    @Test
    void aBadCallbackIs400ProblemJsonNamingTheFieldAndNothingIsStored() {
        Map<String, Object> body = Lattice.create().project("A", 1)
                .option("callback", Map.of("url", "gopher://example.com/", "events", List.of("run.finished", "run.done")))
                .body();
        given().contentType(ContentType.JSON).body(body).post("/api/runs").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.find { it.field == 'callback.url' }.reason", equalTo("must be an http or https URL"))
                .body("errors.find { it.field == 'callback.events[1]' }.reason", containsString("unknown event 'run.done'"));
        given().get("/api/runs/00000000-0000-0000-0000-000000000000/deliveries").then().statusCode(404);
    }

    private static JsonPath awaitDeliveries(String run, java.util.function.Predicate<JsonPath> condition) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            JsonPath deliveries = given().get("/api/runs/" + run + "/deliveries").then().statusCode(200)
                    .extract().jsonPath();
            if (condition.test(deliveries)) {
                return deliveries;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("deliveries of " + run + " not as expected: " + deliveries.prettify());
            }
            Api.sleep(100);
        }
    }

    private static double metricValue(String metrics, String outcome) {
        String prefix = "lattice_webhook_attempts_total{outcome=\"" + outcome + "\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElse(0);
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
