package com.latticeengine.it;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Polling with a deadline instead of fixed sleeps. A probe that throws (say, the database is
 * restarting) counts as "not yet"; the last such error is reported if the deadline passes.
 */
public final class Await {

    private Await() {
    }

    /** Polls {@code probe} every {@code everyMs} until it returns a value; fails after {@code timeout}. */
    public static <T> T until(String what, Duration timeout, long everyMs, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                Optional<T> value = probe.get();
                if (value.isPresent()) {
                    return value.get();
                }
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                AssertionError error = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: "
                        + what + (last == null ? "" : " (last probe error: " + last.getMessage() + ")"));
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            ReplicaProcess.sleep(everyMs);
        }
    }

    public static void untilTrue(String what, Duration timeout, long everyMs, java.util.function.BooleanSupplier condition) {
        until(what, timeout, everyMs, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }
}
