package com.latticeengine.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas on one database share a 500-task run: SKIP LOCKED claims must give every task to
 * exactly one worker, exactly once, and never before its upstream tasks are done.
 */
class TwoProcessesIT {

    private static final long SEED = Long.getLong("lattice.it.seed", 20240501L);
    private static final int TASKS = 500;

    private final Replicas replicas = new Replicas();

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @Test
    void twoReplicasRunEveryTaskOfOneLatticeExactlyOnce() {
        Db.truncateIfSchemaExists();
        ReplicaProcess a = replicas.start("two-a");
        ReplicaProcess b = replicas.start("two-b");
        replicas.awaitReady(a, b);
        Db.truncate();

        Lattices.Submission lattice = Lattices.random(SEED, TASKS, TASKS, 0, 20, 3);
        System.out.printf("[it] lattice seed %d: %d tasks, %d links, %d dependencies%n", SEED, lattice.size(),
                lattice.links(), lattice.dependencies());
        long start = System.nanoTime();
        UUID runId = Api.submit(a, lattice.json());
        String state = RunChecks.awaitRunEnded(runId, Duration.ofSeconds(120));
        System.out.printf("[it] run %s ended %s after %d ms; attempts per worker %s%n", runId, state,
                (System.nanoTime() - start) / 1_000_000, RunChecks.attemptsByWorker(runId));

        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertExactlyOneSucceededAttempt(runId);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED"));
        assertEquals(TASKS, Db.count("SELECT count(*) FROM task_attempt a JOIN task t ON t.id = a.task_id"
                + " WHERE t.run_id = ?", runId), "attempt rows: exactly one per task");
        RunChecks.assertCountersConsistent(runId);
        RunChecks.assertNoTaskStartedBeforeUpstreamFinished(runId);

        Map<String, Long> byWorker = RunChecks.attemptsByWorker(runId);
        assertEquals(Set.of(a.workerId(), b.workerId()), byWorker.keySet(), "workers that ran tasks");
        assertTrue(byWorker.values().stream().allMatch(n -> n > 0), "both workers ran tasks: " + byWorker);
        assertEquals(TASKS, Db.count("SELECT count(*) FROM task WHERE run_id = ? AND worker_id IN (?, ?)",
                runId, a.workerId(), b.workerId()), "every task row names the worker that completed it");

        JsonNode view = Api.run(b, runId);
        assertEquals("SUCCEEDED", view.path("state").asText(), "run state through the API of the other replica");
        assertEquals(TASKS, view.path("counts").path("succeeded").asInt(), "succeeded count through the API");
    }
}
