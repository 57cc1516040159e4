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
 * {@code pausedReason}: "operator" or "budget" while PAUSED, absent otherwise; {@code budget}: caps, spend
 * and reservations.
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
        Budget budget,
        List<TaskSummary> tasks) {

    /**
     * Totals over the run's attempts: {@code calls} reached a model, {@code cached} reused an
     * earlier output; {@code cost_usd} is null when no price is configured for the models used.
     */
    public record Usage(long calls, long cached, long inputTokens, long outputTokens, BigDecimal costUsd) {
    }

    /**
     * The run's caps ({@code max_tokens}, {@code max_cost_usd}; null = no cap of that kind), what its
     * model calls spent, and what calls in flight reserve (their worst case, until they settle).
     * Spent cost counts unpriced models as 0.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Budget(Long maxTokens, BigDecimal maxCostUsd, Amount spent, Amount reserved) {
    }

    public record Amount(long tokens, BigDecimal costUsd) {
    }
}
