package com.latticeengine.store;

import org.jboss.logging.Logger;

import java.sql.SQLException;

/**
 * Runs a whole transaction again when Postgres aborted it as a serialization failure or a
 * deadlock victim (a cancel locking run then tasks while completions lock tasks then run, say):
 * the caller sees the outcome of the retry, never the conflict. Other errors pass through.
 */
public final class ConflictRetry {

    /** A transaction that may throw SQLException; it must be safe to run again from the start. */
    public interface Transaction<T> {
        T run() throws SQLException;
    }

    static final int ATTEMPTS = 4;
    private static final Logger LOG = Logger.getLogger(ConflictRetry.class);

    private ConflictRetry() {
    }

    public static <T> T run(String what, Transaction<T> transaction) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.run();
            } catch (SQLException | RuntimeException e) {
                if (attempt == ATTEMPTS || !DatabaseErrors.isConflict(e)) {
                    throw e;
                }
                LOG.infof("%s: %s; running it again (attempt %d of %d)", what, DatabaseErrors.describe(e),
                        attempt + 1, ATTEMPTS);
                pause(attempt);
            }
        }
    }

    /** 10, 20, 40 ms plus jitter, so two conflicting transactions do not meet again at once. */
    private static void pause(int attempt) {
        try {
            Thread.sleep((10L << (attempt - 1)) + (long) (Math.random() * 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry a transaction", e);
        }
    }
}
