package com.latticeengine.store;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A run as stored, with its task counts (every state, zeros included) and usage totals;
 * {@code tenant}: whose run it is; {@code pausedReason} is null unless the run is PAUSED. {@code tasks} is null when the caller did not ask for them; {@code budget}: its caps, spend and reservations. {@code optionsJson} is JSON text, so are
 * {@code latticeMetadataJson} (the lattice document's own keys, {} when none) and {@code warningsJson}
 * ([{field, reason}], [] when none).
 */
public record RunRecord(
        UUID id,
        String tenant,
        RunState state,
        PausedReason pausedReason,
        String processor,
        int maxAttempts,
        long taskTimeoutMs,
        String optionsJson,
        String latticeMetadataJson,
        String warningsJson,
        OffsetDateTime createdAt,
        OffsetDateTime finishedAt,
        Map<TaskState, Integer> counts,
        Usage usage,
        List<TaskRow> tasks,
        RunBudget budget) {

    /**
     * Totals over the run's attempts: {@code calls} reached a model, {@code cached} reused an
     * earlier output; {@code costUsd} is null when no price is configured for the models used.
     */
    public record Usage(long calls, long cached, long inputTokens, long outputTokens, BigDecimal costUsd) {
    }
}
