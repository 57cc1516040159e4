package com.latticeengine.store;

import java.time.OffsetDateTime;
import java.util.List;

/** One task with its inputs and attempt history; {@code projectJson} and {@code outputJson} are JSON text. */
public record TaskRecord(
        String name,
        int layer,
        TaskState state,
        int remainingInputs,
        int priority,
        List<String> upstream,
        List<String> missingInputs,
        String projectJson,
        List<InputRow> inputs,
        String outputJson,
        String error,
        OffsetDateTime readyAt,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt,
        List<AttemptRecord> attempts) {
}
