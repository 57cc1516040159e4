package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.TaskStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Set;

/**
 * Heartbeats: one UPDATE per beat extends every lease this replica holds. A task missing from
 * the answer was taken away (reaped, cancelled, handed back): its processor is stopped.
 */
@ApplicationScoped
public class LeaseKeeper {

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
        Map<Long, Integer> attempts = worker.runningAttempts();
        if (attempts.isEmpty()) {
            return;
        }
        Set<Long> held;
        try {
            held = store.heartbeat(worker.workerId(), attempts, leaseMs);
            database.succeeded();
        } catch (Exception e) {
            database.failed("heartbeat", e);
            return;
        }
        attempts.forEach((id, attempt) -> {
            if (!held.contains(id)) {
                worker.revoke(id, attempt);
            }
        });
    }
}
