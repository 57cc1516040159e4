package com.latticeengine.store;

/** How an attempt ended, as task_attempt.outcome stores it (null there while the attempt runs). */
public enum AttemptOutcome {
    SUCCEEDED, FAILED, LOST, TIMED_OUT, CANCELLED, RATE_LIMITED
}
