package com.latticeengine.processing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * One input link of a task with the upstream output it carries. {@code output} is null and
 * {@code missingError} says why when an optional upstream did not succeed. {@code flow} is the
 * data flow as submitted, extra fields included (empty for a parent link).
 */
public record TaskInput(
        String fromProject,
        String relation,
        String dataType,
        boolean required,
        JsonNode output,
        String missingError,
        Map<String, Object> flow) {

    public TaskInput {
        flow = flow == null ? Map.of() : flow;
    }

    public boolean missing() {
        return output == null;
    }
}
