package com.latticeengine.store;

/**
 * A task's state, as task.state stores it. AWAITING_REVIEW: processed, its output stored, waiting
 * for a person's decision because the output tripped its review gate (unfinished; no worker holds it).
 */
public enum TaskState {
    WAITING, READY, RUNNING, AWAITING_REVIEW, SUCCEEDED, FAILED, BLOCKED, CANCELLED
}
