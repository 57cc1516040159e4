package com.latticeengine.processing;

import java.time.Duration;

/**
 * The provider said "too many requests". Not the task's fault: the engine gives the task back
 * without spending an attempt and holds every call with the same limit key until {@code retryAfter}.
 */
public class RateLimitedException extends ProcessingException {

    private final Duration retryAfter;

    public RateLimitedException(String message, Duration retryAfter) {
        super(message, true);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
