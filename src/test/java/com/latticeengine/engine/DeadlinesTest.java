package com.latticeengine.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlinesTest {

    @Test
    void aCancelledDeadlineLeavesTheQueueAtOnceAndAnExpiredOneFires() throws Exception {
        Deadlines deadlines = new Deadlines();
        try {
            List<ScheduledFuture<?>> inTime = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                inTime.add(deadlines.after(600_000, () -> {
                }));
            }
            assertEquals(1_000, deadlines.pending());
            inTime.forEach(deadline -> deadline.cancel(false));
            assertEquals(0, deadlines.pending(), "cancelled deadlines of finished attempts are still queued");

            CountDownLatch fired = new CountDownLatch(1);
            deadlines.after(10, fired::countDown);
            assertTrue(fired.await(5, TimeUnit.SECONDS), "an expired deadline did not fire");
        } finally {
            deadlines.stop();
        }
    }
}
