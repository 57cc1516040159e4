package com.latticeengine.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restart safety: replicas die by SIGKILL in the middle of a run (no shutdown hook, no hand
 * back) and fresh ones join. The tasks the dead replicas were running must be reaped once their
 * leases expire (attempt outcome LOST) and run again elsewhere; the run still ends with every
 * task succeeded exactly once, in dependency order.
 */
class ReplicaCrashIT {

    private static final long SEED = Long.getLong("lattice.it.seed", 7_300L);
    private static final int TASKS = 300;
    /** Upstreams come from the 20 projects before each one: a deep lattice that runs for a while. */
    private static final int WINDOW = 20;
    private static final int MAX_ATTEMPTS = 5;

    private final Replicas replicas = new Replicas();

    /** An attempt row: the fencing token of one claim. */
    private record Attempt(long taskId, String task, int attempt, String workerId) {
    }

    /** A SIGKILLed replica, when it was killed (database clock), and the attempts it left unfinished. */
    private record Kill(ReplicaProcess victim, Timestamp killedAt, List<Attempt> open) {
    }

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @Test
    void killedReplicasLoseTheirAttemptsAndTheRunStillSucceedsExactlyOnce() {
        Db.truncateIfSchemaExists();
        ReplicaProcess r1 = replicas.start("crash-r1");
        ReplicaProcess r2 = replicas.start("crash-r2");
        ReplicaProcess r3 = replicas.start("crash-r3");
        replicas.awaitReady(r1, r2, r3);
        Db.truncate();

        Lattices.Submission lattice = Lattices.random(SEED, TASKS, WINDOW, 100, 300, MAX_ATTEMPTS);
        System.out.printf("[it] lattice seed %d: %d tasks, %d links%n", SEED, lattice.size(), lattice.links());
        long start = System.nanoTime();
        UUID runId = Api.submit(r3, lattice.json());

        // First crash: the busiest original replica, once it runs at least 2 tasks.
        Kill kill1 = killAndCollectOpenAttempts(awaitBusy(runId, List.of(r1, r2, r3), 2), runId);
        ReplicaProcess victim1 = kill1.victim();
        ReplicaProcess r4 = replicas.start("crash-r4");

        // The reaper must hand the dead replica's tasks back once their 3 s leases expire.
        awaitOutcomes(kill1.open(), "LOST", Duration.ofSeconds(15));

        // Second crash: another original replica, once it runs at least 2 tasks.
        List<ReplicaProcess> survivors = new ArrayList<>(List.of(r1, r2, r3));
        survivors.remove(victim1);
        Kill kill2 = killAndCollectOpenAttempts(awaitBusy(runId, survivors, 2), runId);
        ReplicaProcess r5 = replicas.start("crash-r5");

        r4.waitUntilReady();
        r5.waitUntilReady();
        String state = RunChecks.awaitRunEnded(runId, Duration.ofSeconds(90));
        System.out.printf("[it] run %s ended %s after %d ms; attempts per worker %s%n", runId, state,
                (System.nanoTime() - start) / 1_000_000, RunChecks.attemptsByWorker(runId));

        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertExactlyOneSucceededAttempt(runId);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED", "LOST"));
        RunChecks.assertCountersConsistent(runId);
        RunChecks.assertNoTaskStartedBeforeUpstreamFinished(runId);

        List<Attempt> lostOnKill = new ArrayList<>(kill1.open());
        lostOnKill.addAll(kill2.open());
        for (Attempt lost : lostOnKill) {
            Map<String, Object> row = Db.rows("SELECT outcome, error FROM task_attempt WHERE task_id = ? AND attempt = ?",
                    lost.taskId(), lost.attempt()).get(0);
            assertEquals("LOST", row.get("outcome"), "outcome of " + lost + ", running when its replica was killed");
            assertTrue(String.valueOf(row.get("error")).contains("lease expired"), "error of " + lost + ": " + row);
            Map<String, Object> success = Db.rows("SELECT attempt, worker_id FROM task_attempt"
                    + " WHERE task_id = ? AND outcome = 'SUCCEEDED'", lost.taskId()).get(0);
            assertTrue((Integer) success.get("attempt") > lost.attempt(),
                    lost + " must be followed by a later successful attempt, got " + success);
            assertNotEquals(lost.workerId(), success.get("worker_id"),
                    lost + " must be re-run by another worker, got " + success);
        }
        assertTrue(Db.count("SELECT count(*) FROM task_attempt a JOIN task t ON t.id = a.task_id"
                + " WHERE t.run_id = ? AND a.outcome = 'LOST'", runId) >= lostOnKill.size(), "LOST attempts");

        // Nothing of a killed replica's was left unfinished but what the snapshot saw when it died.
        for (Kill kill : List.of(kill1, kill2)) {
            assertEquals(Set.copyOf(kill.open()), Set.copyOf(unfinishedAttempts(runId, kill.victim(), kill.killedAt())),
                    "attempts of " + kill.victim().name() + " not finished when it died");
        }

        // Leases lost by replicas while they were alive: not an error by itself (a starved JVM can
        // miss heartbeats, and the fence keeps the result exactly-once), but worth seeing.
        List<Map<String, Object>> lostWhileAlive = Db.rows("""
                SELECT a.task_id, t.name, a.attempt, a.worker_id, a.finished_at, a.error
                  FROM task_attempt a JOIN task t ON t.id = a.task_id
                 WHERE t.run_id = ? AND a.outcome = 'LOST'
                """, runId).stream()
                .filter(row -> !lostOnKill.contains(new Attempt((Long) row.get("task_id"), (String) row.get("name"),
                        (Integer) row.get("attempt"), (String) row.get("worker_id"))))
                .toList();
        if (!lostWhileAlive.isEmpty()) {
            System.out.println("[it] WARNING: leases lost by live replicas: " + lostWhileAlive);
        }

        // The API shows the story of one lost task: LOST on the killed worker, then SUCCEEDED elsewhere.
        Attempt example = lostOnKill.get(0);
        JsonNode task = Api.task(r4, runId, example.task());
        JsonNode lostView = null;
        JsonNode lastView = null;
        for (JsonNode view : task.path("attempts")) {
            if (view.path("attempt").asInt() == example.attempt()) {
                lostView = view;
            }
            if (lastView == null || view.path("attempt").asInt() > lastView.path("attempt").asInt()) {
                lastView = view;
            }
        }
        assertTrue(lostView != null && lastView != null, "API view of " + example + " lists its attempts: " + task);
        assertEquals("LOST", lostView.path("outcome").asText(), "API view of " + example + ": " + task);
        assertEquals(example.workerId(), lostView.path("worker_id").asText(), "API view of " + example + ": " + task);
        assertEquals("SUCCEEDED", lastView.path("outcome").asText(), "API view of " + example + ": " + task);
        assertEquals("SUCCEEDED", task.path("state").asText(), "API view of " + example);

        // The fresh replicas r4 and r5 were ready (waitUntilReady above); whether they got work is
        // timing: a replica that finishes a task claims its released downstream at once, others
        // only on their next poll. So their share is reported, not asserted.
    }

    /** A replica chosen to be killed, and the database clock when it was chosen. */
    private record Target(ReplicaProcess replica, Timestamp at) {
    }

    /**
     * Waits until one of {@code candidates} runs at least {@code minRunning} tasks of the run, one
     * of them claimed in the last 30 ms (so with latencies of 100 ms or more it is certainly
     * still running when the kill follows a moment later); returns the busiest such replica.
     */
    private static Target awaitBusy(UUID runId, List<ReplicaProcess> candidates, int minRunning) {
        return Await.until("a replica of " + candidates + " running >= " + minRunning + " tasks of run " + runId
                + ", one just claimed", Duration.ofSeconds(30), 20, () -> {
                    List<Map<String, Object>> rows = Db.rows("""
                            SELECT worker_id, count(*) AS running, now() AS at,
                                   max(started_at) > now() - interval '30 milliseconds' AS fresh
                              FROM task WHERE run_id = ? AND state = 'RUNNING' GROUP BY worker_id
                            """, runId);
                    assertEquals("RUNNING", Db.scalar("SELECT state FROM run WHERE id = ?", runId),
                            "the run ended before the crash could happen; make the lattice longer");
                    Optional<Map<String, Object>> busiest = rows.stream()
                            .filter(r -> candidates.stream().anyMatch(c -> c.workerId().equals(r.get("worker_id"))))
                            .filter(r -> ((Number) r.get("running")).longValue() >= minRunning)
                            .filter(r -> Boolean.TRUE.equals(r.get("fresh")))
                            .max(Comparator.comparingLong(r -> ((Number) r.get("running")).longValue()));
                    return busiest.map(r -> new Target(candidates.stream()
                            .filter(c -> c.workerId().equals(r.get("worker_id"))).findFirst().orElseThrow(),
                            (Timestamp) r.get("at")));
                });
    }

    /**
     * SIGKILLs the replica, then reads the attempts it had not finished when it died: those still
     * open, plus those the reaper already closed since the kill (on a loaded machine the lease
     * can run out before the snapshot is taken). It reads them once the dead process's database
     * sessions are gone, so no statement it sent can still commit, and nothing but the reaper can
     * close these attempts any more.
     */
    private static Kill killAndCollectOpenAttempts(Target target, UUID runId) {
        ReplicaProcess victim = target.replica();
        long start = System.nanoTime();
        victim.sigkill();
        Db.awaitSessionsGone(victim.name(), Duration.ofSeconds(10));
        List<Attempt> open = unfinishedAttempts(runId, victim, target.at());
        System.out.printf("[it] %s died with %d unfinished attempt(s) (snapshot %d ms after the kill): %s%n",
                victim.name(), open.size(), (System.nanoTime() - start) / 1_000_000, open);
        assertFalse(open.isEmpty(), victim.name() + " was killed while running tasks, yet left no unfinished attempt");
        return new Kill(victim, target.at(), open);
    }

    /** Attempts of the victim still open, or ended other than SUCCEEDED at or after {@code killedAt}. */
    private static List<Attempt> unfinishedAttempts(UUID runId, ReplicaProcess victim, Timestamp killedAt) {
        List<Attempt> open = new ArrayList<>();
        for (Map<String, Object> row : Db.rows("""
                SELECT a.task_id, t.name, a.attempt FROM task_attempt a JOIN task t ON t.id = a.task_id
                 WHERE t.run_id = ? AND a.worker_id = ?
                   AND (a.outcome IS NULL OR (a.outcome <> 'SUCCEEDED' AND a.finished_at >= ?))
                 ORDER BY t.name
                """, runId, victim.workerId(), killedAt)) {
            open.add(new Attempt((Long) row.get("task_id"), (String) row.get("name"), (Integer) row.get("attempt"),
                    victim.workerId()));
        }
        return open;
    }

    private static void awaitOutcomes(List<Attempt> attempts, String outcome, Duration timeout) {
        Await.untilTrue("attempts " + attempts + " to end " + outcome, timeout, 200, () -> {
            for (Attempt a : attempts) {
                Object actual = Db.scalar("SELECT outcome FROM task_attempt WHERE task_id = ? AND attempt = ?",
                        a.taskId(), a.attempt());
                if (actual != null && !outcome.equals(actual)) {
                    throw new AssertionError(a + " ended " + actual + ", expected " + outcome);
                }
                if (actual == null) {
                    return false;
                }
            }
            return true;
        });
    }
}
