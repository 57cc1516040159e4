package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.TaskStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records successes in batches: whatever finished while the previous batch was committing goes
 * into the next transaction. Each batch is one transaction, so every task in it is still marked
 * SUCCEEDED together with its downstream decrements, and under load one commit serves many
 * tasks instead of one.
 */
@ApplicationScoped
public class Completer {

    private static final Logger LOG = Logger.getLogger(Completer.class);
    static final int MAX_BATCH = 200;

    private final TaskStore store;
    private final Worker worker;
    private final DatabaseState database;
    private final LatticeConfig.Worker config;
    private final EngineEvents events;
    private final BlockingQueue<TaskStore.Success> pending = new LinkedBlockingQueue<>();
    /** Fencing tokens of successes not yet committed: their leases must still be renewed. */
    private final Map<Long, Integer> unrecorded = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread thread;

    public Completer(TaskStore store, Worker worker, DatabaseState database, LatticeConfig config,
                     EngineEvents events) {
        this.store = store;
        this.worker = worker;
        this.database = database;
        this.config = config.worker();
        this.events = events;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "lattice-completer");
        thread.start();
    }

    void submit(TaskStore.Success success) {
        unrecorded.put(success.taskId(), success.attempt());
        pending.add(success);
    }

    Map<Long, Integer> unrecordedAttempts() {
        return Map.copyOf(unrecorded);
    }

    /** Successes submitted and not yet committed (or given up). */
    int backlog() {
        return unrecorded.size();
    }

    /** Waits until everything submitted so far is recorded (or the grace period ends). */
    void drain(long deadlineNanos) {
        while (!pending.isEmpty() && System.nanoTime() < deadlineNanos) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Called by the worker once its last tasks are done; records what is queued, then ends. */
    void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(config.lease().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (running || !pending.isEmpty()) {
            List<TaskStore.Success> batch = new ArrayList<>();
            try {
                TaskStore.Success first = pending.poll(1, TimeUnit.SECONDS);
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
            if (!batch.isEmpty()) {
                record(batch);
            }
        }
    }

    /**
     * Retries while the database is away for as long as a lease lasts; after that the reaper has
     * given the tasks to other workers and these results could not pass the fence anyway.
     */
    private void record(List<TaskStore.Success> batch) {
        try {
            recordUntilLeaseEnds(batch);
        } finally {
            batch.forEach(s -> unrecorded.remove(s.taskId(), s.attempt()));
            // The claimer may be waiting for the backlog to shrink.
            worker.wake();
        }
    }

    private void recordUntilLeaseEnds(List<TaskStore.Success> batch) {
        long giveUpAt = System.nanoTime() + config.lease().toNanos();
        while (true) {
            try {
                long started = System.nanoTime();
                TaskStore.Outcome outcome = store.completeSucceeded(worker.workerId(), batch);
                events.resultsWritten(batch.size(), System.nanoTime() - started);
                batch.forEach(s -> events.recorded(s.taskId(), AttemptOutcome.SUCCEEDED,
                        outcome.applied().contains(s.taskId())));
                database.succeeded();
                if (outcome.madeReady() > 0) {
                    worker.wake();
                }
                worker.finishRuns(outcome.runIds());
                return;
            } catch (Exception e) {
                database.failed("record " + batch.size() + " successful attempt(s)", e);
                if (System.nanoTime() > giveUpAt) {
                    LOG.warnf("gave up recording %d result(s) after the lease ran out: %s", batch.size(), e.getMessage());
                    return;
                }
                try {
                    Thread.sleep(config.pollInterval().toMillis());
                } catch (InterruptedException interrupted) {
                    // stopping: keep retrying until the lease deadline, the results are still valid
                }
            }
        }
    }
}
