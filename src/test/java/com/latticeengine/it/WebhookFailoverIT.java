package com.latticeengine.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.latticeengine.support.WebhookReceiver;
import com.latticeengine.webhooks.Signature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At least once across real processes: the receiver holds the first POST open, the replica that
 * sent it (the one whose lease the delivery row names) is SIGKILLed mid-request, and the other
 * replica sends the same delivery, same id, same signed bytes, once the dead one's lease lapses.
 */
class WebhookFailoverIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SECRET = "it-webhook-secret-0123456789";
    /** Lease 4 s, longer than connect + request timeouts (1 s + 2 s), so the kill comes well inside it. */
    private static final Map<String, String> WEBHOOKS = Map.of(
            "lattice.webhooks.secret", SECRET,
            "lattice.webhooks.allow-private", "true",
            "lattice.webhooks.connect-timeout", "1s",
            "lattice.webhooks.request-timeout", "2s",
            "lattice.webhooks.lease", "4s",
            "lattice.webhooks.initial-backoff", "500ms",
            "lattice.webhooks.max-backoff", "1s");

    private final Replicas replicas = new Replicas();

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @Test
    void aDeliveryWhoseSenderIsKilledMidRequestIsDeliveredByTheOtherReplica() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstArrived = new CountDownLatch(1);
        try (WebhookReceiver receiver = new WebhookReceiver(request -> {
            if (firstArrived.getCount() == 1) {
                firstArrived.countDown();
                await(release);
            }
            return 200;
        })) {
            Db.truncateIfSchemaExists();
            ReplicaProcess a = replicas.start("hook-a", WEBHOOKS);
            ReplicaProcess b = replicas.start("hook-b", WEBHOOKS);
            replicas.awaitReady(a, b);
            Db.truncate();

            UUID runId = Api.submit(a, submission(receiver.url("/hooks")));
            assertEquals("SUCCEEDED", RunChecks.awaitRunEnded(runId, Duration.ofSeconds(60)));
            assertTrue(firstArrived.await(30, TimeUnit.SECONDS), "no webhook arrived within 30 s of the run's end");

            String holder = (String) Db.scalar("SELECT sender FROM webhook_delivery WHERE run_id = ?", runId);
            ReplicaProcess sender = holder.equals(a.workerId()) ? a : b;
            ReplicaProcess survivor = sender == a ? b : a;
            sender.sigkill();
            release.countDown();

            Map<String, Object> delivered = Await.until("the delivery DELIVERED by " + survivor.name(),
                    Duration.ofSeconds(30), 200, () -> Db.rows("SELECT status, sender, attempts, id::text AS id"
                            + " FROM webhook_delivery WHERE run_id = ?", runId).stream()
                            .filter(row -> "DELIVERED".equals(row.get("status"))).findFirst());
            assertEquals(survivor.workerId(), delivered.get("sender"));
            assertEquals(1, Db.count("SELECT count(*) FROM webhook_delivery WHERE run_id = ?", runId),
                    "one event, one delivery row");

            List<WebhookReceiver.Request> requests = receiver.requests();
            System.out.printf("[it] webhook of run %s: %d request(s), first from the killed %s, delivered by %s"
                    + " on attempt %s%n", runId, requests.size(), sender.name(), survivor.name(), delivered.get("attempts"));
            assertTrue(requests.size() >= 2, "the killed replica's request and the survivor's");
            for (WebhookReceiver.Request r : requests) {
                assertEquals(delivered.get("id"), r.header("X-Lattice-Delivery"), "same id on every attempt");
                assertEquals(Signature.of(SECRET, r.body()), r.header("X-Lattice-Signature"));
                assertEquals(requests.get(0).bodyText(), r.bodyText(), "the same bytes on every attempt");
            }
            JsonNode body = MAPPER.readTree(requests.get(0).body());
            assertEquals("run.finished", body.path("event").asText());
            assertEquals(runId.toString(), body.path("run_id").asText());
            assertEquals("SUCCEEDED", body.path("state").asText());
            assertEquals(3, body.path("counts").path("succeeded").asInt());
        } finally {
            release.countDown();
        }
    }

    private static JsonNode submission(String callbackUrl) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("requirements", "The system shall notify its caller.");
        root.put("processor", "simulated");
        var projects = root.putObject("lattice").putArray("projects");
        projects.addObject().put("name", "A").put("layer", 1).putNull("parent_name");
        projects.addObject().put("name", "B").put("layer", 2).put("parent_name", "A");
        projects.addObject().put("name", "C").put("layer", 2).put("parent_name", "A");
        root.putObject("callback").put("url", callbackUrl).putArray("events").add("run.finished");
        return root;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
