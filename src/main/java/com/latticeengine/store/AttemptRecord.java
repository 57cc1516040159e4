package com.latticeengine.store;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * One row of task_attempt; {@code outcome} is null while the attempt runs, the usage fields without a
 * model. {@code calls}: model calls the attempt made (repairs included).
 */
public record AttemptRecord(int attempt, String workerId, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                            AttemptOutcome outcome, String error, boolean cached, String model, Long inputTokens,
                            Long outputTokens, Long latencyMs, BigDecimal costUsd, Integer calls) {
}
