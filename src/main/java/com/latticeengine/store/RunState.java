package com.latticeengine.store;

/** A run's state, as run.state stores it. */
public enum RunState {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this != RUNNING;
    }
}
