package com.latticeengine.store;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;

/**
 * One state change of a run (taskName null) or of one of its tasks. {@code cursor} orders events
 * and resumes a stream: it is the SSE event id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEvent(@JsonIgnore String cursor, String taskName, String state, Integer attempt, String workerId,
                       OffsetDateTime at) {
}
