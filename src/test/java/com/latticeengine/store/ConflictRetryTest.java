package com.latticeengine.store;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConflictRetryTest {

    @Test
    void aDeadlockOrSerializationFailureIsRunAgainUntilItSucceeds() throws SQLException {
        AtomicInteger calls = new AtomicInteger();
        String result = ConflictRetry.run("test", () -> switch (calls.incrementAndGet()) {
            case 1 -> throw new SQLException("deadlock detected", "40P01");
            case 2 -> throw new IllegalStateException("wrapped", new SQLException("could not serialize", "40001"));
            default -> "done";
        });
        assertEquals("done", result);
        assertEquals(3, calls.get());
    }

    @Test
    void anyOtherErrorPassesThroughAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        SQLException unique = new SQLException("duplicate key", "23505");
        assertSame(unique, assertThrows(SQLException.class, () -> ConflictRetry.run("test", () -> {
            calls.incrementAndGet();
            throw unique;
        })));
        assertEquals(1, calls.get());
    }

    @Test
    void aConflictThatKeepsComingIsThrownAfterTheLastAttempt() {
        AtomicInteger calls = new AtomicInteger();
        SQLException e = assertThrows(SQLException.class, () -> ConflictRetry.run("test", () -> {
            calls.incrementAndGet();
            throw new SQLException("deadlock detected", "40P01");
        }));
        assertEquals("40P01", e.getSQLState());
        assertEquals(ConflictRetry.ATTEMPTS, calls.get());
    }
}
