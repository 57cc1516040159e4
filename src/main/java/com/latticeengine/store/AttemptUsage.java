package com.latticeengine.store;

/**
 * What an attempt's processor calls used, summed over its {@code calls} (a structured-output repair
 * is a second call in the same attempt); all null (and not cached) for processors without a model.
 */
public record AttemptUsage(String model, Long inputTokens, Long outputTokens, Long latencyMs, Double costUsd,
                           boolean cached, Integer calls) {

    public static final AttemptUsage NONE = new AttemptUsage(null, null, null, null, null, false, null);
    public static final AttemptUsage CACHED = new AttemptUsage(null, null, null, null, null, true, 0);
}
