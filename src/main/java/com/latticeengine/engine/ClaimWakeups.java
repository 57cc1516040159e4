package com.latticeengine.engine;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * "Claim now" requests for this replica's claimer, from anywhere (a submission, a notification,
 * the recorder, the reaper, the fallback poll). Cheap and safe from any thread; requests that
 * arrive while the claimer is busy collapse into one more round.
 */
@ApplicationScoped
public class ClaimWakeups {

    private final Semaphore requests = new Semaphore(0);

    public void wake() {
        if (requests.availablePermits() == 0) {
            requests.release();
        }
    }

    void await() throws InterruptedException {
        requests.acquire();
    }

    /** Waits at most {@code nanos} for a request; true if one came. */
    boolean await(long nanos) throws InterruptedException {
        return requests.tryAcquire(nanos, TimeUnit.NANOSECONDS);
    }

    /** Forgets requests that the round about to start answers anyway. */
    void clear() {
        requests.drainPermits();
    }
}
