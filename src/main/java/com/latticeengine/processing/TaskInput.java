package com.latticeengine.processing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One input link of a task with the upstream output it carries. {@code output} is null and
 * {@code missingError} says why when an optional upstream did not succeed.
 */
public record TaskInput(
        String fromProject,
        String relation,
        String dataType,
        boolean required,
        JsonNode output,
        String missingError) {

    public boolean missing() {
        return output == null;
    }
}
