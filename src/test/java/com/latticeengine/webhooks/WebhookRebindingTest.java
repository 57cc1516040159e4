package com.latticeengine.webhooks;

import com.latticeengine.support.WebhookReceiver;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The send-time guard, as in prod (private addresses refused): a callback whose name resolves to
 * loopback by the time it is sent (as after DNS rebinding; the row is written directly, since the
 * submission check would refuse it) is never contacted and the delivery FAILS at once, saying why.
 */
@QuarkusTest
@TestProfile(WebhookRebindingTest.PrivateRefused.class)
class WebhookRebindingTest {

    public static class PrivateRefused implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lattice.webhooks.allow-private", "false");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCallbackThatNowResolvesToLoopbackIsNotContactedAndFailsAtOnce() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(request -> 200)) {
            String url = receiver.url("/hook").replace("127.0.0.1", "localhost");
            UUID run = UUID.randomUUID();
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO run (id, state, requirements, processor, max_attempts, task_timeout_ms, task_count,
                                         callback_url, callback_events)
                        VALUES (?, 'RUNNING', 'r', 'simulated', 1, 60000, 0, ?, ARRAY['run.finished'])""")) {
                    ps.setObject(1, run);
                    ps.setString(2, url);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE run SET state = 'CANCELLED', finished_at = now() WHERE id = ?")) {
                    ps.setObject(1, run);
                    ps.executeUpdate();
                }
            }
            JsonPath deliveries = null;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                deliveries = given().get("/api/runs/" + run + "/deliveries").then().statusCode(200).extract().jsonPath();
                if ("FAILED".equals(deliveries.getString("[0].status"))) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals("FAILED", deliveries.getString("[0].status"), deliveries.prettify());
            assertEquals(1, deliveries.getInt("[0].attempts"), "a refusal is not retried");
            String error = deliveries.getString("[0].last_error");
            assertTrue(error.startsWith("refused: host localhost resolves to") && error.contains("loopback"), error);
            assertEquals(List.of(), receiver.requests());
        }
    }
}
