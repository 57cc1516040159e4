package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.TaskStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps this replica's leases: one UPDATE per heartbeat extends every lease it holds (running
 * tasks and results still waiting for the recorder). A task missing from the answer was taken
 * away (reaped, cancelled, handed back): its processor is stopped. After a claim whose reply
 * was lost it also gives back the tasks that claim took without our knowing.
 */
@ApplicationScoped
public class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    private final TaskExecutor executor;
    private final Recorder recorder;
    private final TaskStore store;
    private final DatabaseState database;
    private final String workerId;
    private final long leaseMs;
    /** A claim failed in a way that may have committed anyway. */
    private final AtomicBoolean orphansPossible = new AtomicBoolean();

    public LeaseKeeper(TaskExecutor executor, Recorder recorder, TaskStore store, DatabaseState database,
                       WorkerIdentity identity, LatticeConfig config) {
        this.executor = executor;
        this.recorder = recorder;
        this.store = store;
        this.database = database;
        this.workerId = identity.id();
        this.leaseMs = config.worker().lease().toMillis();
    }

    /** Every lease this replica needs: running tasks plus results not written yet. */
    Map<Long, Integer> heldAttempts() {
        Map<Long, Integer> attempts = new HashMap<>(recorder.unrecordedAttempts());
        attempts.putAll(executor.runningAttempts());
        return attempts;
    }

    @Scheduled(every = "${lattice.worker.heartbeat}", skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        Map<Long, Integer> attempts = heldAttempts();
        if (attempts.isEmpty()) {
            return;
        }
        Set<Long> held;
        try {
            held = store.heartbeat(workerId, attempts, leaseMs);
            database.succeeded();
        } catch (Exception e) {
            database.failed("extend leases (heartbeat)", e);
            return;
        }
        attempts.forEach((id, attempt) -> {
            if (!held.contains(id)) {
                executor.revoke(id, attempt);
            }
        });
    }

    /**
     * A claim failed (say, the database restarted mid-commit): the next check looks for tasks it
     * took anyway, which sit RUNNING under this worker with no processor.
     */
    public void checkForOrphans() {
        orphansPossible.set(true);
    }

    /** Orphans go back to READY now, not a lease later. */
    @Scheduled(every = "${lattice.worker.heartbeat}", skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void handBackOrphans() {
        if (!orphansPossible.getAndSet(false)) {
            return;
        }
        try {
            Map<Long, Integer> orphans = new HashMap<>(store.claimedBy(workerId, leaseMs / 10));
            heldAttempts().keySet().forEach(orphans::remove);
            if (!orphans.isEmpty()) {
                recorder.handBack(orphans, "claimed by worker " + workerId + " in a claim whose reply was lost");
                LOG.infof("handed back %d task(s) claimed by a claim whose reply was lost", orphans.size());
            }
        } catch (Exception e) {
            database.failed("hand back tasks of a claim whose reply was lost", e);
            orphansPossible.set(true);
        }
    }
}
