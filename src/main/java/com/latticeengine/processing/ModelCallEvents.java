package com.latticeengine.processing;

/**
 * Where a processor reports every call it makes to a model, answered or not; {@code ops}
 * implements it for Micrometer. Called on worker threads: implementations must be cheap and
 * must not throw.
 */
public interface ModelCallEvents {

    /** The call got an answer (tokens were spent, whatever the processor then made of it). */
    String ANSWERED = "ok";
    /** The provider refused the call for its rate limit (HTTP 429 with a wait). */
    String RATE_LIMITED = "rate_limited";
    /** The provider or the connection failed the call (an error status, a timeout, a reset). */
    String ERROR = "error";
    /** The engine stopped the call (attempt timeout, cancel, shutdown). */
    String INTERRUPTED = "interrupted";

    /**
     * One call to {@code model} ended with {@code outcome} (one of the constants above), using
     * these tokens; {@code costUsd} is null when no price is configured for the model.
     */
    void modelCalled(String model, String outcome, long inputTokens, long outputTokens, Double costUsd);
}
