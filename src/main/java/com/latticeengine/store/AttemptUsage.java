package com.latticeengine.store;

/** What an attempt's processor call used; all null (and not cached) for processors without a model. */
public record AttemptUsage(String model, Long inputTokens, Long outputTokens, Long latencyMs, Double costUsd,
                           boolean cached) {

    public static final AttemptUsage NONE = new AttemptUsage(null, null, null, null, null, false);
    public static final AttemptUsage CACHED = new AttemptUsage(null, null, null, null, null, true);
}
