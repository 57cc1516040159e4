package com.latticeengine.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;

/** The data of one SSE event: a run's state change (taskName absent) or one of its tasks'. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEventView(String taskName, String state, Integer attempt, String workerId, OffsetDateTime at) {
}
