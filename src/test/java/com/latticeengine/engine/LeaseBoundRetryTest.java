package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recorder's retry loop: what it repeats, what it gives up on, and when. */
class LeaseBoundRetryTest {

    private final DatabaseState database = new DatabaseState();
    private final LeaseBoundRetry retry = new LeaseBoundRetry(database, config(Map.of(
            "lattice.worker.lease", "300ms", "lattice.worker.heartbeat", "100ms", "lattice.worker.poll-interval", "10ms")));

    private static LatticeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(LatticeConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build()
                .getConfigMapping(LatticeConfig.class);
    }

    /** A store call that fails with {@code state} the first {@code failures} times. */
    private static LeaseBoundRetry.StoreCall<String> failing(int failures, String state, AtomicInteger calls) {
        return () -> {
            if (calls.incrementAndGet() <= failures) {
                throw new SQLException("simulated", state);
            }
            return "written";
        };
    }

    @Test
    void aLostConnectionIsRetriedUntilTheWriteGoesThroughAndTheStateRecovers() {
        AtomicInteger calls = new AtomicInteger();
        assertEquals(Optional.of("written"), retry.call("a test write", failing(2, "08006", calls)));
        assertEquals(3, calls.get());
        assertTrue(database.up(), "the database state is back up after the write succeeded");
    }

    @Test
    void aSerializationFailureIsRetriedWithoutCountingAsAnOutage() {
        AtomicInteger calls = new AtomicInteger();
        assertEquals(Optional.of("written"), retry.call("a test write", failing(1, "40001", calls)));
        assertEquals(2, calls.get());
        assertTrue(database.up());
    }

    @Test
    void aBugIsNotRetriedAndDoesNotMarkTheDatabaseDown() {
        AtomicInteger calls = new AtomicInteger();
        assertEquals(Optional.empty(), retry.call("a test write", failing(1, "23505", calls)));
        assertEquals(1, calls.get());
        assertTrue(database.up(), "a constraint violation is no outage");
    }

    @Test
    void retriesStopOnceTheLeaseWouldHaveRunOut() {
        AtomicInteger calls = new AtomicInteger();
        assertEquals(Optional.empty(), retry.call("a test write", failing(Integer.MAX_VALUE, "57P01", calls)));
        assertTrue(calls.get() > 1, "retried at least once: " + calls.get());
        assertTrue(!database.up(), "still down: no write went through");
    }

    @Test
    void anInterruptEndsTheRetries() {
        AtomicInteger calls = new AtomicInteger();
        Thread.currentThread().interrupt();
        try {
            assertEquals(Optional.empty(), retry.call("a test write", failing(Integer.MAX_VALUE, "08006", calls)));
            assertEquals(1, calls.get());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }
}
