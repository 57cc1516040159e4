package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.BudgetStore;
import com.latticeengine.store.TaskStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;

/**
 * Returns tasks whose worker stopped heartbeating (killed, partitioned, paused) to READY, and
 * ends runs whose last task finished on a replica that died before it could end the run, and
 * charges the budget reservations of attempts that ended without settling them.
 * Any number of replicas may reap at once: the store takes disjoint rows.
 */
@ApplicationScoped
public class Reaper {

    private static final Logger LOG = Logger.getLogger(Reaper.class);
    private static final int BATCH = 500;

    private final TaskStore store;
    private final BudgetStore budgets;
    private final ClaimWakeups wakeups;
    private final DatabaseState database;
    private final boolean enabled;
    private final EngineEvents events;

    public Reaper(TaskStore store, BudgetStore budgets, ClaimWakeups wakeups, DatabaseState database, LatticeConfig config,
                  EngineEvents events) {
        this.store = store;
        this.budgets = budgets;
        this.wakeups = wakeups;
        this.database = database;
        this.enabled = config.worker().enabled();
        this.events = events;
    }

    @Scheduled(every = "${lattice.worker.reaper-interval}", skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!enabled) {
            return;
        }
        try {
            runOnce();
            database.succeeded();
        } catch (SQLException | RuntimeException e) {
            database.failed("reap expired leases and end finished runs", e);
        }
    }

    /** Reaps in batches until a short batch; returns how many tasks it took back. */
    public int runOnce() throws SQLException {
        int reaped = 0;
        TaskStore.Outcome batch;
        do {
            batch = store.reapExpired(BATCH);
            reaped += batch.applied().size();
        } while (batch.applied().size() == BATCH);
        events.lost(reaped);
        if (reaped > 0) {
            LOG.infof("reaped %d task(s) whose lease expired", reaped);
            wakeups.wake();
        }
        budgets.chargeAbandoned();
        store.finishRuns(store.runningRuns());
        return reaped;
    }
}
