package com.latticeengine.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM while long tasks run: the replica stops claiming, waits out its shutdown grace, hands
 * the unfinished tasks back (READY at once, attempt LOST "handed back", not charged against the
 * budget) and exits; the other replica picks them up on its next poll, long before any lease
 * would have expired.
 */
class GracefulShutdownIT {

    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final int LONG_MS = 8000;
    /** Fewer than a replica's 4 slots, so the survivor can always take them all at once. */
    private static final int LONG_TASKS = 3;
    /** Well within the grace period. */
    private static final int MEDIUM_MS = 800;
    private static final int MAX_ATTEMPTS = 3;
    /** The surviving replica claims on its 1 s poll; 2 s leaves room for a slow claim on a busy machine. */
    private static final Duration PICK_UP = Duration.ofSeconds(2);

    private final Replicas replicas = new Replicas();

    private record Attempt(long taskId, String task, int attempt) {
    }

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @Test
    void sigtermHandsUnfinishedTasksBackAndTheOtherReplicaRunsThemAtOnce() {
        Db.truncateIfSchemaExists();
        Map<String, String> props = Map.of("lattice.worker.shutdown-grace", GRACE.toSeconds() + "s");
        ReplicaProcess first = replicas.start("graceful-a", props);
        ReplicaProcess second = replicas.start("graceful-b", props);
        replicas.awaitReady(first, second);
        Db.truncate();

        // Three long roots first, then one that ends within the grace period: a submission wakes
        // the receiving replica, which claims READY tasks in insertion order, so it normally takes
        // these four. Whichever replica holds the most long tasks is stopped; the other one always
        // has free slots for the hand-back once its short tasks are done.
        Lattices.Builder builder = new Lattices.Builder();
        for (int i = 1; i <= LONG_TASKS; i++) {
            builder.project("Long " + i, LONG_MS, null);
        }
        builder.project("Medium", MEDIUM_MS, null);
        List<String> finals = new ArrayList<>(List.of("Medium"));
        for (int i = 1; i <= 4; i++) {
            builder.project("Short " + i, 300, null);
            finals.add("Short " + i);
        }
        for (int i = 1; i <= LONG_TASKS; i++) {
            builder.project("After long " + i, 200, "Long " + i);
            finals.add("After long " + i);
        }
        builder.project("Synthesis", 100, null, finals.toArray(String[]::new));
        Lattices.Submission lattice = builder.build("Graceful shutdown test", MAX_ATTEMPTS);
        UUID runId = Api.submit(first, lattice.json());

        ReplicaProcess a = Await.until("all " + LONG_TASKS + " long tasks RUNNING", Duration.ofSeconds(15), 50, () -> {
            int onFirst = runningLongTasks(runId, first.workerId()).size();
            int onSecond = runningLongTasks(runId, second.workerId()).size();
            return onFirst + onSecond < LONG_TASKS ? Optional.empty() : Optional.of(onFirst >= onSecond ? first : second);
        });
        ReplicaProcess b = a == first ? second : first;
        List<Attempt> longOnA = runningLongTasks(runId, a.workerId());
        // Everything else A runs now is short enough to finish within the grace period.
        List<Attempt> othersOnA = runningTasks(runId, a.workerId()).stream()
                .filter(t -> !t.task().startsWith("Long ")).toList();
        System.out.printf("[it] running on %s: long %s, others %s; %s will take the long ones over%n", a.name(),
                longOnA, othersOnA, b.name());
        assertFalse(longOnA.isEmpty(), "long tasks on " + a.name());

        long termAt = System.nanoTime();
        a.sigterm();
        OptionalInt exit = a.awaitExit(GRACE.plusSeconds(5));
        long exitAt = System.nanoTime();
        assertTrue(exit.isPresent(), a.name() + " still running " + GRACE.plusSeconds(5).toSeconds()
                + " s after SIGTERM\n" + a.logTail(40));
        System.out.printf("[it] %s exited with %d after %d ms%n", a.name(), exit.getAsInt(),
                (exitAt - termAt) / 1_000_000);
        assertTrue(exit.getAsInt() == ReplicaProcess.SIGTERM_EXIT || exit.getAsInt() == 0,
                a.name() + " should exit normally on SIGTERM, exit code " + exit.getAsInt() + "\n" + a.logTail(40));
        assertTrue(exitAt - termAt >= GRACE.toNanos(),
                a.name() + " exited before its grace period although long tasks were still running");

        // Tasks that finished within the grace period were recorded by A itself before it exited.
        for (Attempt finished : othersOnA) {
            Map<String, Object> attempt = attempt(finished.taskId(), finished.attempt());
            assertEquals("SUCCEEDED", attempt.get("outcome"), finished + " ended within " + a.name()
                    + "'s grace period and must be recorded by it: " + attempt);
        }

        // Nothing is left RUNNING under the stopped worker: it handed everything back before exiting.
        assertEquals(List.of(), Db.rows("SELECT name, attempt FROM task WHERE run_id = ? AND state = 'RUNNING'"
                + " AND worker_id = ?", runId, a.workerId()), "tasks still RUNNING on " + a.name() + " after it exited");
        assertTrue(a.logText().contains("shutdown: handed back " + longOnA.size() + " unfinished task(s)"),
                "log of " + a.name() + " reports the hand-back\n" + a.logTail(20));
        for (Attempt handed : longOnA) {
            Map<String, Object> attempt = attempt(handed.taskId(), handed.attempt());
            assertEquals(a.workerId(), attempt.get("worker_id"), "worker of " + handed);
            assertEquals("LOST", attempt.get("outcome"), "outcome of " + handed + " handed back by " + a.name());
            assertTrue(String.valueOf(attempt.get("error")).contains("handed back"), "error of " + handed + ": " + attempt);
            assertEquals(MAX_ATTEMPTS + 1, ((Number) Db.scalar("SELECT max_attempt FROM task WHERE id = ?",
                    handed.taskId())).intValue(), "a handed-back attempt is not charged against " + handed.task());
        }

        // B takes the handed-back tasks on its next poll: soon after A's exit, by the test's clock...
        long pickUpDeadline = exitAt + PICK_UP.toNanos();
        Await.untilTrue(b.name() + " running every handed-back task " + longOnA,
                Duration.ofNanos(Math.max(0, pickUpDeadline - System.nanoTime())), 50, () -> {
                    for (Attempt handed : longOnA) {
                        if (Db.count("SELECT count(*) FROM task_attempt WHERE task_id = ? AND attempt > ?"
                                + " AND worker_id = ?", handed.taskId(), handed.attempt(), b.workerId()) == 0) {
                            return false;
                        }
                    }
                    return true;
                });
        // ...and by the database's clock, measured from the hand-back itself.
        for (Attempt handed : longOnA) {
            Timestamp handedBackAt = (Timestamp) attempt(handed.taskId(), handed.attempt()).get("finished_at");
            Map<String, Object> next = attempt(handed.taskId(), handed.attempt() + 1);
            assertEquals(b.workerId(), next.get("worker_id"), "next attempt of " + handed);
            long delayMs = ((Timestamp) next.get("started_at")).getTime() - handedBackAt.getTime();
            System.out.printf("[it] %s handed back, restarted on %s %d ms later%n", handed.task(), b.name(), delayMs);
            assertTrue(delayMs >= 0 && delayMs <= PICK_UP.toMillis(),
                    handed.task() + " restarted " + delayMs + " ms after the hand-back");
        }

        String state = RunChecks.awaitRunEnded(runId, Duration.ofSeconds(40));
        System.out.printf("[it] run %s ended %s; attempts per worker %s%n", runId, state,
                RunChecks.attemptsByWorker(runId));
        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertExactlyOneSucceededAttempt(runId);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED", "LOST"));
        assertEquals(longOnA.size(), Db.count("SELECT count(*) FROM task_attempt a JOIN task t ON t.id = a.task_id"
                + " WHERE t.run_id = ? AND a.outcome = 'LOST'", runId), "LOST attempts: exactly the handed-back ones");
        RunChecks.assertCountersConsistent(runId);
        RunChecks.assertNoTaskStartedBeforeUpstreamFinished(runId);
    }

    private static List<Attempt> runningLongTasks(UUID runId, String workerId) {
        return runningTasks(runId, workerId).stream().filter(t -> t.task().startsWith("Long ")).toList();
    }

    private static List<Attempt> runningTasks(UUID runId, String workerId) {
        List<Attempt> running = new ArrayList<>();
        for (Map<String, Object> row : Db.rows("""
                SELECT id, name, attempt FROM task
                 WHERE run_id = ? AND state = 'RUNNING' AND worker_id = ? ORDER BY name
                """, runId, workerId)) {
            running.add(new Attempt((Long) row.get("id"), (String) row.get("name"), (Integer) row.get("attempt")));
        }
        return running;
    }

    private static Map<String, Object> attempt(long taskId, int attempt) {
        List<Map<String, Object>> rows = Db.rows("SELECT * FROM task_attempt WHERE task_id = ? AND attempt = ?",
                taskId, attempt);
        assertEquals(1, rows.size(), "attempt " + attempt + " of task " + taskId);
        return rows.get(0);
    }
}
