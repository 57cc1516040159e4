package com.latticeengine.store;

public enum TaskState {
    WAITING, READY, RUNNING, SUCCEEDED, FAILED, BLOCKED, CANCELLED
}
