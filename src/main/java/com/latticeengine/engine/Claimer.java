package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.ClaimedTask;
import com.latticeengine.store.InputRow;
import com.latticeengine.store.TaskStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * This replica's single claimer: on each wake-up, one claim statement for as many READY tasks as
 * it has free slots, handed to the executor. It owns the slot accounting: a slot is taken by a
 * claim and freed when the task's processor returns.
 */
@ApplicationScoped
public class Claimer {

    private static final Logger LOG = Logger.getLogger(Claimer.class);
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LatticeConfig.Worker config;
    private final TaskStore store;
    private final TaskExecutor executor;
    private final Recorder recorder;
    private final LeaseKeeper leases;
    private final ClaimWakeups wakeups;
    private final EngineEvents events;
    private final DatabaseState database;
    private final String workerId;
    private final int limitedCap;
    private final int gatherTarget;
    /**
     * Claimed tasks this replica may hold before their results are written: running ones plus
     * results waiting for the recorder. A slot frees when its processor returns, so with fast
     * processors claims outran the commits: thousands of successes piled up, every lease renewal
     * carried all of them, and a crash would have handed them all to the reaper. Two full
     * recorder batches of slack keep its batches full.
     */
    private final int maxHeld;

    private Semaphore slots;
    private SlotTurnover turnover;
    /** The last claim filled every free slot, so more READY tasks are probably waiting. */
    private volatile boolean backlog;
    private volatile boolean accepting;
    private volatile Instant lastPoll = Instant.now();
    private Thread thread;

    public Claimer(LatticeConfig config, TaskStore store, TaskExecutor executor, Recorder recorder, LeaseKeeper leases,
                   ClaimWakeups wakeups, EngineEvents events, DatabaseState database, WorkerIdentity identity) {
        this.config = config.worker();
        this.store = store;
        this.executor = executor;
        this.recorder = recorder;
        this.leases = leases;
        this.wakeups = wakeups;
        this.events = events;
        this.database = database;
        this.workerId = identity.id();
        this.limitedCap = config.llm().maxConcurrent();
        this.gatherTarget = Math.max(1, config.worker().concurrency() / 4);
        this.maxHeld = config.worker().concurrency() + 2 * Recorder.MAX_BATCH;
    }

    void start() {
        slots = new Semaphore(config.concurrency());
        turnover = new SlotTurnover(config.concurrency());
        accepting = true;
        thread = new Thread(this::claimLoop, "lattice-claimer");
        thread.start();
        wakeups.wake();
    }

    /** Claims nothing more; waits briefly for a claim in flight so that its tasks can be handed back. */
    void stop() {
        accepting = false;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** When the last claim round started; the liveness check reads it. */
    public Instant lastPoll() {
        return lastPoll;
    }

    private void claimLoop() {
        while (accepting) {
            try {
                wakeups.await();
                gatherSlots();
                wakeups.clear();
                lastPoll = Instant.now();
                claimOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("claim round failed", e);
            }
        }
    }

    /**
     * While READY tasks are queued, a claim round per freed slot would spend a database round
     * trip per task; waiting a few milliseconds for a quarter of the slots to free up lets one
     * claim take several. Without a backlog (a chain, a quiet queue) it claims at once, and also
     * when tasks take so long that those slots would not free up within the wait: then the wait
     * only idles the slots already free (S4 went from 1.046 to 1.019 times its lower bound).
     */
    private void gatherSlots() throws InterruptedException {
        long deadline = System.nanoTime() + GATHER_NANOS;
        while (backlog && slots.availablePermits() < gatherTarget
                && turnover.nanosUntilFree(gatherTarget - slots.availablePermits()) <= GATHER_NANOS
                && System.nanoTime() < deadline) {
            wakeups.await(deadline - System.nanoTime());
        }
    }

    private void claimOnce() {
        int free = Math.min(slots.availablePermits(), maxHeld - executor.runningCount() - recorder.backlog());
        if (free <= 0 || !slots.tryAcquire(free)) {
            return;
        }
        List<ClaimedTask> claimed;
        Map<Long, List<InputRow>> inputs;
        try {
            long claimStarted = System.nanoTime();
            claimed = store.claim(workerId, free, config.lease().toMillis());
            if (claimed.size() < free) {
                claimed = new ArrayList<>(claimed);
                claimed.addAll(store.claimLimited(workerId, free - claimed.size(), config.lease().toMillis(), limitedCap));
            }
            events.claimed(claimed, System.nanoTime() - claimStarted);
            inputs = claimed.isEmpty() ? Map.of() : store.inputsOf(claimed.stream().map(ClaimedTask::id).toList());
            database.succeeded();
        } catch (Exception e) {
            // The claim may have committed without us knowing which tasks it took.
            leases.checkForOrphans();
            slots.release(free);
            if (accepting) {
                database.failed("claim READY tasks", e);
            } else {
                LOG.debugf("claim cut short by the shutdown: %s", e.getMessage());
            }
            return;
        }
        slots.release(free - claimed.size());
        backlog = claimed.size() == free;
        for (ClaimedTask task : claimed) {
            executor.execute(task, inputs.getOrDefault(task.id(), List.of()), this::slotFreed);
        }
    }

    private void slotFreed(long taskNanos) {
        turnover.taskTook(taskNanos);
        slots.release();
        wakeups.wake();
    }
}
