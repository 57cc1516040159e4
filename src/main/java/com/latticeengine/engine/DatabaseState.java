package com.latticeengine.engine;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/** Tracks whether the engine can reach Postgres, logging only when that changes, never per poll. */
@ApplicationScoped
public class DatabaseState {

    private static final Logger LOG = Logger.getLogger(DatabaseState.class);

    private final AtomicBoolean up = new AtomicBoolean(true);

    public void failed(String what, Exception e) {
        if (up.compareAndSet(true, false)) {
            LOG.warnf("database unreachable (%s): %s; workers back off and retry every poll", what, e.getMessage());
        }
    }

    public void succeeded() {
        if (up.compareAndSet(false, true)) {
            LOG.info("database reachable again; workers resume");
        }
    }
}
