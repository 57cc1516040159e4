package com.latticeengine.store;

/** A task's state, as task.state stores it. */
public enum TaskState {
    WAITING, READY, RUNNING, AWAITING_REVIEW, SUCCEEDED, FAILED, BLOCKED, CANCELLED
}
