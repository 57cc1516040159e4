package com.latticeengine.store;

import java.util.UUID;

/**
 * A task this worker now holds: (id, attempt) is the fencing token for every later write.
 * {@code limitKey} is null for tasks whose processor has no shared provider limit. {@code priority} is
 * the task's chain length to the end (LatticeGraph.pathLengthToEnd): 1 for a project nothing depends on.
 */
public record ClaimedTask(
        long id,
        UUID runId,
        String name,
        String projectJson,
        int attempt,
        String requirements,
        String processor,
        long timeoutMs,
        String runOptionsJson,
        String limitKey,
        int priority) {
}
