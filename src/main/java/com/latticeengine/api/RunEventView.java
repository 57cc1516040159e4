package com.latticeengine.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;

/**
 * The data of one SSE event: a run's state change (taskName absent) or one of its tasks'. A
 * review event (SSE name "review") has the decision, the state it moved the task to, and
 * {@code reviewedBy} instead of a worker.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEventView(String taskName, String state, Integer attempt, String workerId, OffsetDateTime at,
                           String decision, String reviewedBy) {
}
