package com.latticeengine.store;

import java.time.OffsetDateTime;
import java.util.List;

/** A task in a run listing; {@code missingInputs} are the upstream projects not yet SUCCEEDED. */
public record TaskSummary(
        String name,
        int layer,
        TaskState state,
        int remainingInputs,
        List<String> upstream,
        List<String> missingInputs,
        int attempts,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt) {
}
