package com.latticeengine.processing.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Map;

/**
 * How one task's answer must look: text, any JSON object, or a JSON object valid against
 * {@code schema} (the project's {@code output_schema}, else the run's {@code llm.output_schema}).
 * {@code jsonSchemaFormat} sends the schema as {@code response_format: json_schema} (the run's
 * {@code llm.structured}); otherwise JSON is asked for with {@code json_object}. {@code repairs}:
 * further calls in the same attempt when an answer does not validate.
 */
record OutputSpec(boolean json, JsonNode schema, boolean jsonSchemaFormat, int repairs) {

    static final int DEFAULT_REPAIRS = 1;

    static OutputSpec of(Map<String, Object> runOptions, Map<String, Object> project, CallSettings call,
                         ObjectMapper mapper) {
        Map<?, ?> llm = runOptions.get("llm") instanceof Map<?, ?> m ? m : Map.of();
        Object schema = project.get("output_schema") != null ? project.get("output_schema") : llm.get("output_schema");
        JsonNode schemaNode = schema == null ? null : mapper.valueToTree(schema);
        boolean json = schemaNode != null || call.json() || "json".equals(project.get("output"));
        int repairs = llm.get("repair_attempts") instanceof Number n ? n.intValue() : DEFAULT_REPAIRS;
        return new OutputSpec(json, schemaNode, schemaNode != null && "json_schema".equals(llm.get("structured")),
                schemaNode == null ? 0 : repairs);
    }
}
