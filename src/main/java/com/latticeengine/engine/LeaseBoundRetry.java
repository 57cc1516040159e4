package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.DatabaseErrors;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * The engine's one "retry while the lease holds" loop, for store calls made on behalf of a
 * claimed task. While the database is away (or a transaction lost a conflict) the call is
 * repeated every poll interval for as long as the lease would have held the task anyway; after
 * that the reaper has given, or will give, the task to another worker and the result could not
 * pass the fence. Any other error is a bug or bad data: it is logged and not repeated. An
 * interrupt ends the retrying too: the caller is being stopped.
 */
@ApplicationScoped
public class LeaseBoundRetry {

    private static final Logger LOG = Logger.getLogger(LeaseBoundRetry.class);

    /** A store call; {@code purpose} in {@link #call} says what it is for, in the logs. */
    public interface StoreCall<T> {
        T call() throws Exception;
    }

    private final DatabaseState database;
    private final long leaseNanos;
    private final long pauseMs;

    public LeaseBoundRetry(DatabaseState database, LatticeConfig config) {
        this.database = database;
        this.leaseNanos = config.worker().lease().toNanos();
        this.pauseMs = config.worker().pollInterval().toMillis();
    }

    /** The call's value, or empty when it failed for good (already logged). */
    public <T> Optional<T> call(String purpose, StoreCall<T> call) {
        long giveUpAt = System.nanoTime() + leaseNanos;
        while (true) {
            try {
                T value = call.call();
                database.succeeded();
                return Optional.of(value);
            } catch (Exception e) {
                boolean conflict = DatabaseErrors.isConflict(e);
                if (conflict) {
                    LOG.debugf("retrying (%s) after a transaction conflict: %s", purpose, e.getMessage());
                } else {
                    database.failed(purpose, e);
                    if (!DatabaseErrors.isConnectionLoss(e)) {
                        return Optional.empty();
                    }
                }
                if (System.nanoTime() > giveUpAt) {
                    LOG.warnf("gave up (%s) after the lease ran out: %s", purpose, e.getMessage());
                    return Optional.empty();
                }
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }
}
