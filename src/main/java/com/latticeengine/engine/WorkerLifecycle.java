package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts and stops this replica's worker parts in order: recorder, executor, claimer up; and
 * down the other way, so nothing is claimed that cannot run and nothing runs whose result
 * cannot be recorded. The lease keeper and the reaper run on the scheduler on their own.
 */
@ApplicationScoped
public class WorkerLifecycle {

    private static final Logger LOG = Logger.getLogger(WorkerLifecycle.class);

    private final LatticeConfig.Worker config;
    private final Claimer claimer;
    private final TaskExecutor executor;
    private final Recorder recorder;
    private final ClaimWakeups wakeups;
    private final String workerId;
    private volatile boolean started;

    public WorkerLifecycle(LatticeConfig config, Claimer claimer, TaskExecutor executor, Recorder recorder,
                           ClaimWakeups wakeups, WorkerIdentity identity) {
        this.config = config.worker();
        this.claimer = claimer;
        this.executor = executor;
        this.recorder = recorder;
        this.wakeups = wakeups;
        this.workerId = identity.id();
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("worker disabled (lattice.worker.enabled=false): this replica serves the API only");
            return;
        }
        recorder.start();
        executor.start(config.concurrency());
        claimer.start();
        started = true;
        LOG.infof("worker %s started with %d slots", workerId, config.concurrency());
    }

    /** The fallback poll: a wake-up lost or never sent costs at most one interval. */
    @Scheduled(every = "${lattice.worker.poll-interval}", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        wakeups.wake();
    }

    /**
     * Graceful stop: claim nothing more, let running tasks finish and their results be written
     * within the grace period, then hand back the rest so other replicas take them at once
     * instead of after a lease expiry.
     */
    void stop(@Observes ShutdownEvent event) {
        if (!started) {
            return;
        }
        claimer.stop();
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        executor.awaitIdle(deadline);
        recorder.drain(deadline);
        Map<Long, Integer> left = executor.runningAttempts();
        if (!left.isEmpty()) {
            try {
                int handedBack = recorder.handBack(left, "worker " + workerId + " shut down");
                LOG.infof("shutdown: handed back %d unfinished task(s)", handedBack);
            } catch (Exception e) {
                LOG.warnf("shutdown: could not hand back %d task(s); their leases expire instead: %s",
                        left.size(), e.getMessage());
            }
        }
        executor.stop();
        recorder.drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        recorder.stop();
    }
}
