package com.latticeengine.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review gates across real processes: two outputs await review while a replica is SIGKILLed (with
 * tasks of the run still running on it); nothing awaiting review is reaped or lost, their downstream
 * never starts, and decisions taken afterwards on the surviving replica finish the run with every
 * task done exactly once (the rejected task twice: its reviewed attempt and the one the reject asked for).
 */
class ReviewCrashIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Replicas replicas = new Replicas();

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @Test
    void outputsAwaitingReviewSurviveAKilledReplicaAndDecisionsStillWork() throws Exception {
        Db.truncateIfSchemaExists();
        ReplicaProcess a = replicas.start("review-a");
        ReplicaProcess b = replicas.start("review-b");
        replicas.awaitReady(a, b);
        Db.truncate();

        Lattices.Builder builder = new Lattices.Builder()
                .project("Approved", 100, null)
                .project("Rejected", 100, null);
        for (int i = 0; i < 8; i++) {
            builder.project("Slow" + i, 2_500, null);
            builder.project("AfterApproved" + i, 100, "Approved");
            builder.project("AfterRejected" + i, 100, i % 2 == 0 ? "Rejected" : null, "Rejected");
        }
        Lattices.Submission lattice = builder.build("Review gates survive a killed replica.", 3);
        gate(lattice.json(), "Approved", Map.of("always", true));
        gate(lattice.json(), "Rejected", Map.of("when", "!has(output.review_comment)"));
        UUID runId = Api.submit(a, lattice.json());

        Await.untilTrue("both gated outputs awaiting review, and b running tasks", Duration.ofSeconds(30), 20, () ->
                Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state = 'AWAITING_REVIEW'", runId) == 2
                        && RunChecks.runningByWorker(runId).containsKey(b.workerId()));
        b.sigkill();
        Db.awaitSessionsGone(b.name(), Duration.ofSeconds(10));
        // b's tasks come back once their leases (3 s) expire and finish on a; the reviews just wait.
        Await.untilTrue("every task not behind a review done", Duration.ofSeconds(60), 100, () ->
                Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state <> 'WAITING'"
                        + " AND state <> 'AWAITING_REVIEW' AND state <> 'SUCCEEDED'", runId) == 0
                        && Db.count("SELECT count(*) FROM task WHERE run_id = ? AND name LIKE 'Slow%'"
                        + " AND state = 'SUCCEEDED'", runId) == 8);
        assertEquals("RUNNING", Db.scalar("SELECT state FROM run WHERE id = ?", runId), "a run awaiting review is open");
        assertEquals(2L, Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state = 'AWAITING_REVIEW'"
                + " AND output IS NOT NULL", runId), "both outputs kept, awaiting review");
        assertEquals(0L, Db.count("SELECT count(*) FROM task_attempt x JOIN task t ON t.id = x.task_id"
                + " WHERE t.run_id = ? AND t.name LIKE 'After%'", runId), "downstream of a review started");
        System.out.printf("[it] review run %s after the kill: %s%n", runId, RunChecks.stateCounts(runId));

        JsonNode approved = decide(a, runId, "Approved", "{\"decision\": \"approve\", \"comment\": \"ok\"}");
        assertEquals("SUCCEEDED", approved.path("state").asText());
        JsonNode rejected = decide(a, runId, "Rejected", "{\"decision\": \"reject\", \"comment\": \"add sources\"}");
        assertEquals("READY", rejected.path("state").asText(), rejected.toString());
        assertEquals(409, a.postJson("/api/runs/" + runId + "/tasks/Approved/review", "{\"decision\": \"fail\"}")
                .statusCode(), "a second decision");

        assertEquals("SUCCEEDED", RunChecks.awaitRunEnded(runId, Duration.ofSeconds(60)));
        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED", "LOST"));
        RunChecks.assertCountersConsistent(runId);
        RunChecks.assertNoTaskStartedBeforeUpstreamFinished(runId);
        List<Map<String, Object>> notOnce = Db.rows("""
                SELECT t.name, count(*) FILTER (WHERE a.outcome = 'SUCCEEDED') AS succeeded
                  FROM task t JOIN task_attempt a ON a.task_id = t.id
                 WHERE t.run_id = ? GROUP BY t.id, t.name
                HAVING count(*) FILTER (WHERE a.outcome = 'SUCCEEDED') <> CASE t.name WHEN 'Rejected' THEN 2 ELSE 1 END
                """, runId);
        assertTrue(notOnce.isEmpty(), "tasks not done exactly once: " + notOnce);
        assertEquals("reject,", Db.scalar("SELECT string_agg(coalesce(a.review_decision, ''), ',' ORDER BY a.attempt)"
                + " FROM task_attempt a JOIN task t ON t.id = a.task_id WHERE t.run_id = ? AND t.name = 'Rejected'"
                + " AND a.outcome = 'SUCCEEDED'", runId), "the reject, then an output that passed the gate");
        assertEquals("add sources", Api.task(a, runId, "AfterRejected0").path("inputs").path(0).path("output")
                .path("review_comment").asText(), "downstream ran on the output the reject asked for");
    }

    private static void gate(ObjectNode submission, String project, Map<String, Object> review) {
        for (JsonNode p : submission.path("lattice").path("projects")) {
            if (project.equals(p.path("name").asText())) {
                ((ObjectNode) p).set("review", MAPPER.valueToTree(review));
            }
        }
    }

    private static JsonNode decide(ReplicaProcess replica, UUID runId, String task, String body) throws Exception {
        HttpResponse<String> response = replica.postJson("/api/runs/" + runId + "/tasks/" + task + "/review", body);
        assertEquals(200, response.statusCode(), response.body());
        return MAPPER.readTree(response.body());
    }
}
