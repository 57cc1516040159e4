package com.latticeengine.engine;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotTurnoverTest {

    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    @Test
    void slotsOfLongTasksAreNotWorthWaitingForAndThoseOfShortOnesAre() {
        SlotTurnover longTasks = new SlotTurnover(8);
        SlotTurnover shortTasks = new SlotTurnover(8);
        for (int i = 0; i < 100; i++) {
            longTasks.taskTook(TimeUnit.MILLISECONDS.toNanos(275));
            shortTasks.taskTook(TimeUnit.MICROSECONDS.toNanos(200));
        }
        // 8 slots of 275 ms tasks free one every 34 ms: a 10 ms wait would idle the free one.
        long oneLong = longTasks.nanosUntilFree(1);
        assertTrue(oneLong > GATHER_NANOS, "expected about 34 ms, got " + oneLong);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(275) / 8, oneLong, TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(shortTasks.nanosUntilFree(2) < GATHER_NANOS, "no-op tasks free two slots within microseconds");
    }

    @Test
    void theAverageFollowsTheTasksAsTheyChange() {
        SlotTurnover turnover = new SlotTurnover(4);
        assertEquals(0, turnover.nanosUntilFree(2), "before any task the claimer may gather");
        for (int i = 0; i < 100; i++) {
            turnover.taskTook(TimeUnit.SECONDS.toNanos(1));
        }
        assertTrue(turnover.nanosUntilFree(1) > GATHER_NANOS);
        for (int i = 0; i < 100; i++) {
            turnover.taskTook(TimeUnit.MICROSECONDS.toNanos(100));
        }
        assertTrue(turnover.nanosUntilFree(1) < GATHER_NANOS, "the slow tasks of before still weigh: "
                + turnover.nanosUntilFree(1));
    }
}
