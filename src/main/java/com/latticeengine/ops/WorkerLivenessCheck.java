package com.latticeengine.ops;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.engine.Claimer;
import com.latticeengine.engine.WorkerIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;
import java.time.Instant;

/**
 * Liveness of the worker loop: DOWN when this replica's claimer has not started a claim round
 * within the timeout, e.g. because it hangs on a lock. The scheduled fallback poll wakes the
 * claimer every lattice.worker.poll-interval even when idle, so a healthy idle worker stays UP;
 * an unreachable database does not turn it DOWN either (the claim fails fast and the loop goes on),
 * so Kubernetes restarts only a wedged process, never every pod during a database outage.
 */
@Liveness
@ApplicationScoped
public class WorkerLivenessCheck implements HealthCheck {

    static final String NAME = "lattice-worker-poller";

    private final Claimer claimer;
    private final String workerId;
    private final boolean enabled;
    private final Duration timeout;

    public WorkerLivenessCheck(Claimer claimer, WorkerIdentity identity, LatticeConfig config) {
        this.claimer = claimer;
        this.workerId = identity.id();
        this.enabled = config.worker().enabled();
        this.timeout = timeout(config);
    }

    /** lattice.health.liveness-timeout, or max(3 x poll interval, 30s). */
    static Duration timeout(LatticeConfig config) {
        return config.health().livenessTimeout().orElseGet(() -> {
            Duration threePolls = config.worker().pollInterval().multipliedBy(3);
            Duration floor = Duration.ofSeconds(30);
            return threePolls.compareTo(floor) > 0 ? threePolls : floor;
        });
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        if (!enabled) {
            return response.up().withData("worker", "disabled (lattice.worker.enabled=false)").build();
        }
        Instant lastPoll = claimer.lastPoll();
        Duration since = Duration.between(lastPoll, Instant.now());
        return response.status(since.compareTo(timeout) <= 0)
                .withData("worker_id", workerId)
                .withData("last_poll", lastPoll.toString())
                .withData("ms_since_last_poll", since.toMillis())
                .withData("timeout_ms", timeout.toMillis())
                .build();
    }
}
