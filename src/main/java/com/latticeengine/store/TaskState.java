package com.latticeengine.store;

public enum TaskState {
    WAITING, READY, RUNNING, SUCCEEDED, FAILED, BLOCKED, CANCELLED;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == BLOCKED || this == CANCELLED;
    }
}
