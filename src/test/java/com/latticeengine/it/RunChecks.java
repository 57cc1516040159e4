package com.latticeengine.it;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions on what a run left in the database, shared by the integration tests. */
public final class RunChecks {

    private RunChecks() {
    }

    /** Polls the run row until it leaves RUNNING; returns its final state. */
    public static String awaitRunEnded(UUID runId, Duration timeout) {
        try {
            return Await.until("run " + runId + " to end", timeout, 250, () -> {
                Object state = Db.scalar("SELECT state FROM run WHERE id = ?", runId);
                return "RUNNING".equals(state) || state == null ? Optional.empty() : Optional.of((String) state);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; task states now: " + safeStateCounts(runId), e);
        }
    }

    public static Map<String, Long> stateCounts(UUID runId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map<String, Object> row : Db.rows(
                "SELECT state, count(*) AS n FROM task WHERE run_id = ? GROUP BY state ORDER BY state", runId)) {
            counts.put((String) row.get("state"), ((Number) row.get("n")).longValue());
        }
        return counts;
    }

    private static String safeStateCounts(UUID runId) {
        try {
            return stateCounts(runId).toString();
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }

    /** The run and every one of its tasks SUCCEEDED, and the engine stored the graph that was submitted. */
    public static void assertRunSucceeded(UUID runId, Lattices.Submission submission) {
        assertEquals("SUCCEEDED", Db.scalar("SELECT state FROM run WHERE id = ?", runId), "run state");
        assertEquals(Map.of("SUCCEEDED", (long) submission.size()), stateCounts(runId), "task states of run " + runId);
        assertEquals(submission.links(), Db.count("SELECT count(*) FROM task_input i JOIN task t ON t.id = i.to_task"
                + " WHERE t.run_id = ?", runId), "stored input links");
        assertEquals(submission.dependencies(), Db.count("SELECT count(*) FROM (SELECT DISTINCT i.to_task, i.from_task"
                + " FROM task_input i JOIN task t ON t.id = i.to_task WHERE t.run_id = ?) d", runId),
                "stored distinct dependencies");
    }

    /** Every task has exactly one attempt row with outcome SUCCEEDED. */
    public static void assertExactlyOneSucceededAttempt(UUID runId) {
        List<Map<String, Object>> bad = Db.rows("""
                SELECT t.name, count(a.task_id) FILTER (WHERE a.outcome = 'SUCCEEDED') AS succeeded,
                       string_agg(a.attempt || ':' || a.worker_id || ':' || coalesce(a.outcome, 'open'), ', '
                                  ORDER BY a.attempt) AS attempts
                  FROM task t LEFT JOIN task_attempt a ON a.task_id = t.id
                 WHERE t.run_id = ?
                 GROUP BY t.id, t.name
                HAVING count(a.task_id) FILTER (WHERE a.outcome = 'SUCCEEDED') <> 1
                 ORDER BY t.name LIMIT 20
                """, runId);
        assertTrue(bad.isEmpty(), "tasks without exactly one SUCCEEDED attempt: " + bad);
    }

    /** No attempt is still open and every outcome is one of {@code allowed}. */
    public static void assertAttemptOutcomesOnly(UUID runId, Set<String> allowed) {
        List<Map<String, Object>> bad = Db.rows("""
                SELECT t.name, a.attempt, a.worker_id, a.outcome, a.error
                  FROM task_attempt a JOIN task t ON t.id = a.task_id
                 WHERE t.run_id = ? AND (a.outcome IS NULL OR a.finished_at IS NULL OR NOT (a.outcome = ANY(?)))
                 ORDER BY t.name, a.attempt LIMIT 20
                """, runId, allowed.toArray(String[]::new));
        assertTrue(bad.isEmpty(), "attempts still open or with an outcome other than " + allowed + ": " + bad);
    }

    /**
     * No attempt of any task (nor the task's recorded start) began before every one of its
     * upstream tasks had finished. All timestamps come from the database clock.
     */
    public static void assertNoTaskStartedBeforeUpstreamFinished(UUID runId) {
        List<Map<String, Object>> early = Db.rows("""
                SELECT t.name AS task, a.attempt, a.worker_id, a.started_at, f.name AS upstream,
                       f.state AS upstream_state, f.finished_at AS upstream_finished_at
                  FROM task t
                  JOIN task_input i ON i.to_task = t.id
                  JOIN task f ON f.id = i.from_task
                  JOIN task_attempt a ON a.task_id = t.id
                 WHERE t.run_id = ? AND (f.finished_at IS NULL OR a.started_at < f.finished_at
                                         OR t.started_at < f.finished_at)
                 ORDER BY t.name LIMIT 20
                """, runId);
        assertTrue(early.isEmpty(), "tasks that started before an upstream finished: " + early);
        assertEquals(0, Db.count("SELECT count(*) FROM task t JOIN task_attempt a ON a.task_id = t.id"
                + " WHERE t.run_id = ? AND a.started_at IS NULL", runId), "attempts without a start time");
    }

    /**
     * Counters and bookkeeping at the end of a run: no input left to wait for, nothing RUNNING or
     * leased, and the task's attempt counter equals its number of attempt rows (no gaps, no dups).
     */
    public static void assertCountersConsistent(UUID runId) {
        List<Map<String, Object>> bad = Db.rows("""
                SELECT t.name, t.state, t.remaining_inputs, t.attempt, t.worker_id, t.lease_expires_at,
                       count(a.task_id) AS attempt_rows, max(a.attempt) AS max_attempt_row
                  FROM task t LEFT JOIN task_attempt a ON a.task_id = t.id
                 WHERE t.run_id = ?
                 GROUP BY t.id
                HAVING t.remaining_inputs <> 0 OR t.lease_expires_at IS NOT NULL
                       OR t.attempt <> count(a.task_id) OR t.attempt <> coalesce(max(a.attempt), 0)
                       OR t.finished_at IS NULL OR t.started_at IS NULL
                 ORDER BY t.name LIMIT 20
                """, runId);
        assertTrue(bad.isEmpty(), "tasks with inconsistent counters or bookkeeping: " + bad);
    }

    /** Attempts per worker id, all outcomes. */
    public static Map<String, Long> attemptsByWorker(UUID runId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map<String, Object> row : Db.rows("""
                SELECT a.worker_id, count(*) AS n FROM task_attempt a JOIN task t ON t.id = a.task_id
                 WHERE t.run_id = ? GROUP BY a.worker_id ORDER BY a.worker_id
                """, runId)) {
            counts.put((String) row.get("worker_id"), ((Number) row.get("n")).longValue());
        }
        return counts;
    }

    /** Tasks of the run RUNNING per worker id right now. */
    public static Map<String, Long> runningByWorker(UUID runId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map<String, Object> row : Db.rows("""
                SELECT worker_id, count(*) AS n FROM task WHERE run_id = ? AND state = 'RUNNING'
                 GROUP BY worker_id ORDER BY worker_id
                """, runId)) {
            counts.put((String) row.get("worker_id"), ((Number) row.get("n")).longValue());
        }
        return counts;
    }
}
