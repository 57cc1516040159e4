package com.latticeengine.store;

import java.util.List;
import java.util.UUID;

/** A validated submission, ready to be written as one run with all its tasks and input links; {@code budget}: its caps ({@link Budget#NONE} for none). */
public record NewRun(
        UUID id,
        String requirements,
        String processor,
        int maxAttempts,
        long taskTimeoutMs,
        String optionsJson,
        String idempotencyKey,
        String tenant,
        String latticeMetadataJson,
        String warningsJson,
        List<Task> tasks,
        List<Link> links,
        Callback callback,
        Budget budget) {

    /** {@code callback}: null when the submission named none; {@code budget}: none. */
    public NewRun(UUID id, String requirements, String processor, int maxAttempts, long taskTimeoutMs,
                  String optionsJson, String idempotencyKey, String tenant, String latticeMetadataJson,
                  String warningsJson, List<Task> tasks, List<Link> links) {
        this(id, requirements, processor, maxAttempts, taskTimeoutMs, optionsJson, idempotencyKey, tenant,
                latticeMetadataJson, warningsJson, tasks, links, null, Budget.NONE);
    }

    /**
     * {@code priority}: claims take READY tasks with a higher priority first. {@code limitKey}: the
     * provider limit the task's calls share (its processor's, for the project's effective settings), or null.
     */
    public record Task(String name, int position, int layer, String projectJson, int remainingInputs, int priority,
                       String limitKey) {
    }

    /**
     * One input link; {@code position} orders the inputs of {@code toName}. {@code flowJson} is the
     * data flow as submitted, null for a parent link.
     */
    public record Link(String toName, int position, String fromName, String relation, String dataType,
                       boolean required, String flowJson) {
    }
}
