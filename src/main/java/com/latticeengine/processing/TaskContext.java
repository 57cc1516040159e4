package com.latticeengine.processing;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything a processor may look at for one attempt of one task. {@code terminal}: nothing depends
 * on the project (a sink of the lattice, e.g. ODRAS's L3 selection). {@code reviewComment}: set when
 * a reviewer rejected the task's previous output and asked for this attempt (empty when the reject
 * said nothing), null otherwise. {@code budget}: what each paid call must reserve
 * against first.
 */
public record TaskContext(
        UUID runId,
        String requirements,
        String projectName,
        Map<String, Object> project,
        List<TaskInput> inputs,
        int attempt,
        Map<String, Object> runOptions,
        boolean terminal,
        String reviewComment,
        CallBudget budget) {

    public TaskContext(UUID runId, String requirements, String projectName, Map<String, Object> project,
                       List<TaskInput> inputs, int attempt, Map<String, Object> runOptions, boolean terminal) {
        this(runId, requirements, projectName, project, inputs, attempt, runOptions, terminal, null, CallBudget.UNLIMITED);
    }

    /** A context for a call that is not charged to any run's budget (template checks, previews). */
    public TaskContext(UUID runId, String requirements, String projectName, Map<String, Object> project,
                       List<TaskInput> inputs, int attempt, Map<String, Object> runOptions, boolean terminal,
                       String reviewComment) {
        this(runId, requirements, projectName, project, inputs, attempt, runOptions, terminal, reviewComment,
                CallBudget.UNLIMITED);
    }
}
