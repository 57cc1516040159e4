package com.latticeengine.processing;

/**
 * What an attempt's model calls used, summed over {@code calls} (a structured-output repair is a
 * further call in the same attempt); {@code costUsd} is null when no price is configured for the model.
 */
public record Usage(String model, long inputTokens, long outputTokens, long latencyMs, Double costUsd, int calls) {

    /** This usage followed by one more call's. */
    public Usage plus(Usage next) {
        Double cost = costUsd == null || next.costUsd == null ? null : costUsd + next.costUsd;
        return new Usage(next.model, inputTokens + next.inputTokens, outputTokens + next.outputTokens,
                latencyMs + next.latencyMs, cost, calls + next.calls);
    }
}
