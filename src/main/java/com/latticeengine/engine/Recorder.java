package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.BudgetStore;
import com.latticeengine.store.ClaimedTask;
import com.latticeengine.store.TaskStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records every attempt result of this replica, on one thread, through one path: whatever
 * finished while the previous batch was being written goes into the next one. All successes of
 * a batch commit in one transaction with their downstream decrements, so under load one commit
 * serves many tasks; failures, timeouts and rate limits follow one statement each. Every write
 * is fenced by (task, attempt, worker) in the store and repeated while the lease holds
 * ({@link LeaseBoundRetry}). Results wait here with their leases still renewed
 * ({@link #unrecordedAttempts}), so a slot frees as soon as its processor returns.
 */
@ApplicationScoped
public class Recorder {

    private static final Logger LOG = Logger.getLogger(Recorder.class);
    /** Results per batch at most; see Claimer for the slack the claimer leaves for full batches. */
    static final int MAX_BATCH = 200;
    /**
     * How long a task waits when the budget still has room but calls in flight hold it: about
     * one call's time, after which they have settled and the task tries again.
     */
    static final long BUDGET_WAIT_MS = 1_000;

    /** One attempt's result, waiting to be written. */
    record Recording(ClaimedTask task, AttemptResult result) {
    }

    private final TaskStore store;
    private final BudgetStore budgets;
    private final LeaseBoundRetry retry;
    private final Backoff backoff;
    private final ClaimWakeups wakeups;
    private final EngineEvents events;
    private final DatabaseState database;
    private final String workerId;
    private final long leaseMs;
    private final BlockingQueue<Recording> pending = new LinkedBlockingQueue<>();
    /** Fencing tokens of results not yet written: their leases must still be renewed. */
    private final Map<Long, Integer> unrecorded = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread thread;

    public Recorder(TaskStore store, BudgetStore budgets, LeaseBoundRetry retry, Backoff backoff, ClaimWakeups wakeups,
                    EngineEvents events, DatabaseState database, WorkerIdentity identity, LatticeConfig config) {
        this.store = store;
        this.budgets = budgets;
        this.retry = retry;
        this.backoff = backoff;
        this.wakeups = wakeups;
        this.events = events;
        this.database = database;
        this.workerId = identity.id();
        this.leaseMs = config.worker().lease().toMillis();
    }

    void start() {
        running = true;
        thread = new Thread(this::loop, "lattice-recorder");
        thread.start();
    }

    /** Queues a result; an abandoned attempt has nothing to write and only ends its duration sample. */
    void submit(ClaimedTask task, AttemptResult result) {
        if (result instanceof AttemptResult.Abandoned) {
            events.abandoned(task.id());
            return;
        }
        unrecorded.put(task.id(), task.attempt());
        pending.add(new Recording(task, result));
    }

    Map<Long, Integer> unrecordedAttempts() {
        return Map.copyOf(unrecorded);
    }

    /** Results submitted and not yet written (or given up). */
    int backlog() {
        return unrecorded.size();
    }

    /** Waits until everything submitted so far is written or given up, or the deadline passes. */
    void drain(long deadlineNanos) {
        while (!unrecorded.isEmpty() && System.nanoTime() < deadlineNanos) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Writes what is queued, then ends. The thread is not interrupted while results remain (an
     * interrupt would end their retries); only when it outlives a lease, since by then no queued
     * result could pass the fence.
     */
    void stop() {
        running = false;
        if (thread == null) {
            return;
        }
        try {
            thread.join(leaseMs);
            thread.interrupt();
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Gives tasks back as READY at once, their attempts ending LOST with the reason (at
     * shutdown, or orphans of a claim whose reply was lost). One try: if it fails, the leases
     * run out instead. Returns how many tasks were still this worker's to give back.
     */
    int handBack(Map<Long, Integer> attempts, String reason) throws SQLException {
        if (attempts.isEmpty()) {
            return 0;
        }
        int handedBack = store.handBack(workerId, attempts, reason).applied().size();
        database.succeeded();
        return handedBack;
    }

    private void loop() {
        while (running || !pending.isEmpty()) {
            List<Recording> batch = new ArrayList<>();
            try {
                Recording first = pending.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                if (pending.isEmpty()) {
                    return;
                }
            }
            pending.drainTo(batch, MAX_BATCH - batch.size());
            try {
                write(batch);
            } catch (RuntimeException e) {
                // A bug must not end the only thread that records results; these leases run out instead.
                LOG.errorf(e, "recording %d result(s) failed", batch.size());
            }
        }
    }

    /** Writes one batch: its successes in one transaction, then each other result. */
    void write(List<Recording> batch) {
        try {
            List<Recording> successes = batch.stream().filter(r -> r.result() instanceof AttemptResult.Succeeded).toList();
            if (!successes.isEmpty()) {
                List<TaskStore.Success> rows = successes.stream().map(Recorder::success).toList();
                long started = System.nanoTime();
                written(successes, retry.call("record " + rows.size() + " successful attempt(s)",
                        () -> store.completeSucceeded(workerId, rows)), started);
            }
            for (Recording r : batch) {
                if (!(r.result() instanceof AttemptResult.Succeeded)) {
                    long started = System.nanoTime();
                    written(List.of(r), writeOther(r), started);
                }
            }
        } finally {
            batch.forEach(r -> unrecorded.remove(r.task().id(), r.task().attempt()));
            // The claimer may be waiting for the backlog to shrink.
            wakeups.wake();
        }
    }

    private static TaskStore.Success success(Recording r) {
        AttemptResult.Succeeded s = (AttemptResult.Succeeded) r.result();
        return new TaskStore.Success(r.task().id(), r.task().attempt(), s.outputJson(), s.usage(), s.cacheKey(),
                s.reviewReason());
    }

    private Optional<TaskStore.Outcome> writeOther(Recording r) {
        ClaimedTask task = r.task();
        if (r.result() instanceof AttemptResult.RateLimited limited) {
            return retry.call("defer a rate-limited attempt", () -> store.deferRateLimited(workerId, task.id(),
                    task.attempt(), task.limitKey(), limited.delayMs(), limited.error()));
        }
        if (r.result() instanceof AttemptResult.OverBudget over) {
            return retry.call("give back an over-budget attempt", () -> budgets.deferOverBudget(workerId, task.id(),
                    task.attempt(), task.runId(), over.neededTokens(), over.neededCostUsd(), over.error(), over.usage(),
                    BUDGET_WAIT_MS)).map(deferral -> {
                        if (deferral.paused()) {
                            LOG.infof("run %s paused: its budget cannot cover the next call of %s (%s)", task.runId(),
                                    task.name(), over.error());
                        }
                        return deferral.outcome();
                    });
        }
        AttemptResult.Failed failed = (AttemptResult.Failed) r.result();
        long backoffMs = backoff.afterAttempt(task.attempt());
        return retry.call("record a " + failed.outcome() + " attempt", () -> store.failAttempt(workerId, task.id(),
                task.attempt(), failed.outcome(), failed.error(), failed.retryable(), backoffMs, failed.usage()));
    }

    private void written(List<Recording> recordings, Optional<TaskStore.Outcome> outcome, long startedNanos) {
        if (outcome.isEmpty()) {
            recordings.forEach(r -> events.abandoned(r.task().id()));
            return;
        }
        events.resultsWritten(recordings.size(), System.nanoTime() - startedNanos);
        Set<Long> applied = outcome.get().applied();
        for (Recording r : recordings) {
            boolean accepted = applied.contains(r.task().id());
            events.recorded(r.task().id(), outcomeOf(r.result()), accepted);
            if (!accepted) {
                LOG.debugf("late result of %s attempt %d discarded: the task is no longer ours", r.task().name(),
                        r.task().attempt());
            }
        }
        if (outcome.get().madeReady() > 0) {
            wakeups.wake();
        }
        finishRuns(outcome.get().runIds());
    }

    private static AttemptOutcome outcomeOf(AttemptResult result) {
        if (result instanceof AttemptResult.Failed f) {
            return f.outcome();
        }
        if (result instanceof AttemptResult.OverBudget) {
            return AttemptOutcome.OVER_BUDGET;
        }
        return result instanceof AttemptResult.RateLimited ? AttemptOutcome.RATE_LIMITED : AttemptOutcome.SUCCEEDED;
    }

    /** Ends the runs whose last task this was; if this fails the reaper's sweep ends them later. */
    private void finishRuns(Set<UUID> runIds) {
        if (runIds.isEmpty()) {
            return;
        }
        try {
            store.finishRuns(runIds);
        } catch (Exception e) {
            database.failed("end finished runs", e);
        }
    }
}
