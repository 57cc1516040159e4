package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.TaskStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Heartbeats: one UPDATE per beat extends every lease this replica holds. A task missing from
 * the answer was taken away (reaped, cancelled, handed back): its processor is stopped.
 */
@ApplicationScoped
public class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    private final Worker worker;
    private final TaskStore store;
    private final DatabaseState database;
    private final long leaseMs;

    public LeaseKeeper(Worker worker, TaskStore store, DatabaseState database, LatticeConfig config) {
        this.worker = worker;
        this.store = store;
        this.database = database;
        this.leaseMs = config.worker().lease().toMillis();
    }

    @Scheduled(every = "${lattice.worker.heartbeat}", skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        Map<Long, Integer> attempts = worker.heldAttempts();
        if (attempts.isEmpty()) {
            return;
        }
        Set<Long> held;
        try {
            held = store.heartbeat(worker.workerId(), attempts, leaseMs);
            database.succeeded();
        } catch (Exception e) {
            database.failed("extend leases (heartbeat)", e);
            return;
        }
        attempts.forEach((id, attempt) -> {
            if (!held.contains(id)) {
                worker.revoke(id, attempt);
            }
        });
    }

    /**
     * After a claim failed (say, the database restarted mid-commit), tasks it took anyway sit
     * RUNNING under this worker with no processor; they go back to READY now, not a lease later.
     */
    @Scheduled(every = "${lattice.worker.heartbeat}", skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void handBackOrphans() {
        if (!worker.takeClaimUncertain()) {
            return;
        }
        try {
            Map<Long, Integer> orphans = new HashMap<>(store.claimedBy(worker.workerId(), leaseMs / 10));
            worker.heldAttempts().keySet().forEach(orphans::remove);
            if (!orphans.isEmpty()) {
                store.handBack(worker.workerId(), orphans,
                        "claimed by worker " + worker.workerId() + " in a claim whose reply was lost");
                LOG.infof("handed back %d task(s) claimed by a claim whose reply was lost", orphans.size());
            }
        } catch (Exception e) {
            database.failed("hand back tasks of a claim whose reply was lost", e);
            worker.markClaimUncertain();
        }
    }
}
