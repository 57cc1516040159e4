package com.latticeengine.store;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A task of a run listing; {@code missingInputs} are the upstream projects not yet SUCCEEDED, and
 * {@code priority} orders claims (the longest chain of projects starting at this one).
 */
public record TaskRow(
        String name,
        int layer,
        TaskState state,
        int remainingInputs,
        int priority,
        List<String> upstream,
        List<String> missingInputs,
        int attempts,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt) {
}
