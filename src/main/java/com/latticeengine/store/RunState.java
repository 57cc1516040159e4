package com.latticeengine.store;

/** A run's state, as run.state stores it. */
public enum RunState {
    RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED;

    /** PAUSED is not final: its tasks wait, and resume, cancel or rerun go on from it. */
    public boolean isFinal() {
        return this != RUNNING && this != PAUSED;
    }
}
