package com.latticeengine.store;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * One row of task_attempt; {@code outcome} is null while the attempt runs, the usage fields without a
 * model. {@code calls}: model calls the attempt made (repairs included).
 */
public record AttemptRecord(int attempt, String workerId, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                            AttemptOutcome outcome, String error, boolean cached, String model, Long inputTokens,
                            Long outputTokens, Long latencyMs, BigDecimal costUsd, Integer calls, Review review) {

    /**
     * The review of the attempt's output: why it needed one, and the decision once taken (null
     * while it awaits one); {@code editedOutputJson} is what an edit put in place of the attempt's output.
     */
    public record Review(String reason, String decision, String reviewedBy, OffsetDateTime reviewedAt, String comment,
                         String editedOutputJson) {
    }
}
