package com.latticeengine.processing;

/** What one model call used; {@code costUsd} is null when no price is configured for the model. */
public record Usage(String model, long inputTokens, long outputTokens, long latencyMs, Double costUsd) {
}
