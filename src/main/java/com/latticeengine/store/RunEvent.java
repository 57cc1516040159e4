package com.latticeengine.store;

import java.time.OffsetDateTime;

/**
 * One state change of a run (taskName null, state a RunState name) or of one of its tasks
 * (state a TaskState name). {@code cursor} orders events and resumes a stream. A review decision
 * on a task is an event of its own: {@code reviewDecision} (approve, edit, reject, fail) with the
 * state it moved the task to, and the reviewer in {@code workerId}.
 */
public record RunEvent(String cursor, String taskName, String state, Integer attempt, String workerId,
                       OffsetDateTime at, String reviewDecision) {

    /** True for the event that ends the run's log: the run reached a final state. */
    public boolean endsRun() {
        return taskName == null && RunState.valueOf(state).isFinal();
    }
}
