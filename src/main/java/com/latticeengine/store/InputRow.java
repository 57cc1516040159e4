package com.latticeengine.store;

/**
 * One input link of a task with its upstream task's current state, output and error;
 * {@code flowJson} is the data flow as submitted (null for a parent link).
 */
public record InputRow(
        long toTask,
        String fromProject,
        String relation,
        String dataType,
        boolean required,
        TaskState fromState,
        String outputJson,
        String error,
        String flowJson) {
}
