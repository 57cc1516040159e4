package com.latticeengine.api;

import java.time.Instant;
import java.util.UUID;

/**
 * One webhook delivery of a run, for operators: {@code status} PENDING, DELIVERED or FAILED;
 * {@code next_attempt_at} only while PENDING (while a replica is sending, its lease expiry);
 * {@code sender} the replica that took the latest attempt. The body and the URL are not shown.
 */
public record DeliveryView(UUID id, String event, String taskName, String runState, String pausedReason, String status,
                           int attempts, String sender, Integer lastStatusCode, String lastError, Instant occurredAt,
                           Instant nextAttemptAt, Instant finishedAt) {
}
