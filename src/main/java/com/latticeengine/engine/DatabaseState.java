package com.latticeengine.engine;

import com.latticeengine.store.DatabaseErrors;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tracks whether the engine can reach Postgres. Only a lost connection or an unavailable server
 * (DatabaseErrors) moves the state, logged when it changes, never per poll; any other database
 * error is a bug or bad data and is logged at ERROR every time with what the statement was for,
 * so that it never passes for an outage.
 */
@ApplicationScoped
public class DatabaseState {

    private static final Logger LOG = Logger.getLogger(DatabaseState.class);

    private final AtomicBoolean up = new AtomicBoolean(true);

    /** {@code purpose} names the statement's job, e.g. "claim" or "record 12 results". */
    public void failed(String purpose, Exception e) {
        if (!DatabaseErrors.isConnectionLoss(e)) {
            LOG.errorf(e, "unexpected database error (%s)", purpose);
        } else if (up.compareAndSet(true, false)) {
            LOG.warnf("database unreachable (%s): %s; workers back off and retry every poll", purpose, e.getMessage());
        }
    }

    public void succeeded() {
        if (up.compareAndSet(false, true)) {
            LOG.info("database reachable again; workers resume");
        }
    }

    public boolean up() {
        return up.get();
    }
}
