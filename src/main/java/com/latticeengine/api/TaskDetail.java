package com.latticeengine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.TaskState;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/** GET /api/runs/{id}/tasks/{name}: one task with its inputs, output and attempts. */
public record TaskDetail(
        String name,
        int layer,
        TaskState state,
        int remainingInputs,
        int priority,
        List<String> upstream,
        List<String> missingInputs,
        @JsonRawValue String project,
        List<Input> inputs,
        @JsonRawValue String output,
        String error,
        OffsetDateTime readyAt,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt,
        List<Attempt> attempts) {

    /**
     * An input link with the upstream output it carries (null until that upstream succeeded);
     * {@code awaitingReview} is true while the upstream's output waits for a review decision.
     */
    public record Input(String fromProject, String relation, String dataType, boolean required, TaskState state,
                        @JsonRawValue String output, String error, boolean awaitingReview) {
    }

    /** {@code review}: present when the attempt's output tripped the task's review gate. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attempt(int attempt, String workerId, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                          AttemptOutcome outcome, String error, boolean cached, String model, Long inputTokens,
                          Long outputTokens, Long latencyMs, BigDecimal costUsd, Integer calls, Review review) {
    }

    /** Why the output needed review and, once decided, the decision: who, when, the comment, an edit's output. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Review(String reason, String decision, String reviewedBy, OffsetDateTime reviewedAt, String comment,
                         @JsonRawValue String editedOutput) {
    }
}
