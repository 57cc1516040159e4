package com.latticeengine.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(
        UUID id,
        RunState state,
        String processor,
        int maxAttempts,
        long taskTimeoutMs,
        @JsonRawValue String options,
        OffsetDateTime createdAt,
        OffsetDateTime finishedAt,
        Map<String, Integer> counts,
        List<TaskSummary> tasks) {
}
