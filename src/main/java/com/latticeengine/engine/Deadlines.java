package com.latticeengine.engine;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Attempt timeouts: one timer thread for all running tasks. Every attempt that ends in time
 * cancels its deadline, and a cancelled deadline leaves the queue at once; by default it stayed
 * queued for the whole timeout (10 min), which at full throughput held millions of entries and
 * every finished task they referenced.
 */
final class Deadlines {

    private final ScheduledThreadPoolExecutor timer;

    Deadlines() {
        timer = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "lattice-deadlines"));
        timer.setRemoveOnCancelPolicy(true);
    }

    ScheduledFuture<?> after(long delayMs, Runnable action) {
        return timer.schedule(action, delayMs, TimeUnit.MILLISECONDS);
    }

    int pending() {
        return timer.getQueue().size();
    }

    void stop() {
        timer.shutdownNow();
    }
}
