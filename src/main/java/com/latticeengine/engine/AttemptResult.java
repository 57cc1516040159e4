package com.latticeengine.engine;

import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.AttemptUsage;

import java.math.BigDecimal;

/** What one attempt's execution came to; the recorder writes every kind but {@link Abandoned}. */
sealed interface AttemptResult {

    /**
     * A non-null {@code cacheKey} offers the output to later tasks with the same key; a non-null
     * {@code reviewReason} says why the output trips the task's review gate (it then awaits review).
     */
    record Succeeded(String outputJson, AttemptUsage usage, String cacheKey, String reviewReason)
            implements AttemptResult {
    }

    /**
     * {@code outcome} is FAILED or TIMED_OUT; a retryable failure is retried while attempts remain.
     * {@code usage}: what the processor's calls used before it failed (NONE without calls).
     */
    record Failed(AttemptOutcome outcome, String error, boolean retryable, AttemptUsage usage) implements AttemptResult {
        Failed(AttemptOutcome outcome, String error, boolean retryable) {
            this(outcome, error, retryable, AttemptUsage.NONE);
        }
    }

    /** The provider asked us to slow down: the task goes back unharmed and its limit key is held. */
    record RateLimited(long delayMs, String error) implements AttemptResult {
    }

    /**
     * The run's budget could not cover the next call, so it was not made: the task goes back
     * unharmed, and the run pauses if the budget is used up. {@code neededTokens}, {@code neededCostUsd}:
     * the call's worst case; {@code usage}: what the attempt's earlier calls used.
     */
    record OverBudget(long neededTokens, BigDecimal neededCostUsd, String error, AttemptUsage usage)
            implements AttemptResult {
    }

    /** Someone else owns the task now (reaped, cancelled, handed back at shutdown): record nothing. */
    record Abandoned() implements AttemptResult {
    }
}
