package com.latticeengine.store;

import java.time.OffsetDateTime;

/**
 * One state change of a run (taskName null, state a RunState name) or of one of its tasks
 * (state a TaskState name). {@code cursor} orders events and resumes a stream.
 */
public record RunEvent(String cursor, String taskName, String state, Integer attempt, String workerId,
                       OffsetDateTime at) {

    /** True for the event that ends the run's log: the run reached a final state. */
    public boolean endsRun() {
        return taskName == null && RunState.valueOf(state).isFinal();
    }
}
