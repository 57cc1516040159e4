package com.latticeengine.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast a replica's busy slots free up, from a moving average of how long its tasks take.
 * The claimer uses it to decide whether waiting for more free slots (one claim for several
 * tasks) is worth it: for no-op tasks slots free every few microseconds, so a short wait fills a
 * claim; for tasks of hundreds of milliseconds the wait only leaves a freed slot idle.
 */
final class SlotTurnover {

    /** Weight of the newest task in the moving average: 1/8. */
    private static final int SMOOTHING = 8;

    private final int slots;
    private final AtomicLong averageTaskNanos = new AtomicLong();

    SlotTurnover(int slots) {
        this.slots = slots;
    }

    void taskTook(long nanos) {
        averageTaskNanos.updateAndGet(average -> average + (nanos - average) / SMOOTHING);
    }

    /** The expected time until {@code count} more slots free up while all of them are busy. */
    long nanosUntilFree(int count) {
        return count * averageTaskNanos.get() / slots;
    }
}
