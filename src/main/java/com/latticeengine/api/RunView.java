package com.latticeengine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.latticeengine.store.RunState;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * GET /api/runs/{id}: a run with its counts per task state (lower case), usage totals and tasks.
 * {@code latticeMetadata}: the lattice document's own keys as submitted ({} when none);
 * {@code warnings}: [{field, reason}] the submission was accepted with ([] when none);
 * {@code pausedReason}: "operator" or "budget" while PAUSED, absent otherwise.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(
        UUID id,
        String tenant,
        RunState state,
        String pausedReason,
        String processor,
        int maxAttempts,
        long taskTimeoutMs,
        @JsonRawValue String options,
        @JsonRawValue String latticeMetadata,
        @JsonRawValue String warnings,
        OffsetDateTime createdAt,
        OffsetDateTime finishedAt,
        Map<String, Integer> counts,
        Usage usage,
        List<TaskSummary> tasks) {

    /**
     * Totals over the run's attempts: {@code calls} reached a model, {@code cached} reused an
     * earlier output; {@code cost_usd} is null when no price is configured for the models used.
     */
    public record Usage(long calls, long cached, long inputTokens, long outputTokens, BigDecimal costUsd) {
    }
}
