package com.latticeengine.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pause and resume across real processes: a replica is SIGKILLed while the run is paused (its
 * running tasks are reaped back to READY), a fresh replica joins, and nothing of the run is
 * claimed until the resume; then every task succeeds exactly once.
 */
class PauseResumeIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long SEED = 15_015L;

    private final Replicas replicas = new Replicas();

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @Test
    void nothingIsClaimedWhilePausedAndEveryTaskRunsExactlyOnceAfterResume() throws Exception {
        Db.truncateIfSchemaExists();
        ReplicaProcess a = replicas.start("pause-a");
        ReplicaProcess b = replicas.start("pause-b");
        replicas.awaitReady(a, b);
        Db.truncate();

        Lattices.Submission lattice = Lattices.random(SEED, 60, 10, 200, 400, 5);
        UUID runId = Api.submit(a, lattice.json());
        Await.until("both replicas running tasks of " + runId, Duration.ofSeconds(30), 20, () ->
                RunChecks.runningByWorker(runId).keySet().containsAll(Set.of(a.workerId(), b.workerId()))
                        ? Optional.of(true) : Optional.empty());

        assertEquals("PAUSED", post(a, "/api/runs/" + runId + "/pause", "state"));
        Timestamp pausedAt = (Timestamp) Db.scalar("SELECT clock_timestamp()::timestamp");
        b.sigkill();
        Db.awaitSessionsGone(b.name(), Duration.ofSeconds(10));
        ReplicaProcess c = replicas.start("pause-c");
        // b's tasks come back to READY once their leases (3 s) expire; a's finish and are recorded.
        Await.until("no task of " + runId + " running", Duration.ofSeconds(30), 100, () ->
                Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state = 'RUNNING'", runId) == 0
                        ? Optional.of(true) : Optional.empty());
        c.waitUntilReady();
        ReplicaProcess.sleep(2_500);  // two poll intervals of every live replica

        assertEquals("PAUSED", Db.scalar("SELECT state FROM run WHERE id = ?", runId));
        assertEquals(0, Db.count("SELECT count(*) FROM task_attempt x JOIN task t ON t.id = x.task_id"
                + " WHERE t.run_id = ? AND x.started_at > ?", runId, pausedAt), "attempts started while paused");
        long lost = Db.count("SELECT count(*) FROM task_attempt x JOIN task t ON t.id = x.task_id"
                + " WHERE t.run_id = ? AND x.outcome = 'LOST'", runId);
        System.out.printf("[it] paused run %s: %s, %d attempt(s) of the killed replica lost%n", runId,
                RunChecks.stateCounts(runId), lost);
        assertTrue(Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state = 'READY'", runId) > 0,
                "the run should still have READY tasks to hold back");

        assertEquals("RUNNING", post(c, "/api/runs/" + runId + "/resume", "state"));
        assertEquals("SUCCEEDED", RunChecks.awaitRunEnded(runId, Duration.ofSeconds(90)));
        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertExactlyOneSucceededAttempt(runId);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED", "LOST"));
        RunChecks.assertCountersConsistent(runId);
        RunChecks.assertNoTaskStartedBeforeUpstreamFinished(runId);
    }

    private static String post(ReplicaProcess replica, String path, String field) throws Exception {
        HttpResponse<String> response = replica.postJson(path, "");
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return MAPPER.readTree(response.body()).path(field).asText();
    }
}
