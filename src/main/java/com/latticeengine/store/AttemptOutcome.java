package com.latticeengine.store;

/** How an attempt ended, as task_attempt.outcome stores it (null there while the attempt runs). */
public enum AttemptOutcome {
    SUCCEEDED, FAILED, LOST, TIMED_OUT, CANCELLED, RATE_LIMITED,
    /** Given back unharmed: the run's budget could not cover the attempt's next model call. */
    OVER_BUDGET
}
