package com.latticeengine.store;

public enum RunState {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this != RUNNING;
    }
}
