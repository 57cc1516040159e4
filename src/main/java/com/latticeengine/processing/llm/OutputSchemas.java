package com.latticeengine.processing.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.lattice.Violation;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Output schemas (JSON Schema draft 2020-12, networknt's validator): checked against the
 * meta-schema at submission, then used to validate every JSON answer. Schemas never load
 * anything remote: a {@code $ref} must resolve inside the schema itself.
 */
@ApplicationScoped
public class OutputSchemas {

    private static final int CACHED_SCHEMAS = 200;
    private static final int MAX_MESSAGES = 20;

    private final ObjectMapper mapper;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private final Schema metaSchema = registry.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
    /** Compiled schemas by their JSON text: a run's tasks share one schema. */
    private final Map<String, Schema> compiled = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Schema> eldest) {
            return size() > CACHED_SCHEMAS;
        }
    });

    public OutputSchemas(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Problems of a submitted schema, each naming {@code field}; empty when it is usable. */
    public List<Violation> check(Object schema, String field) {
        if (!(schema instanceof Map<?, ?>)) {
            return List.of(new Violation(field, "must be a JSON Schema object (draft 2020-12)"));
        }
        JsonNode node = mapper.valueToTree(schema);
        List<Violation> out = new ArrayList<>();
        for (Error e : metaSchema.validate(node)) {
            out.add(new Violation(field, "is not a valid JSON Schema (draft 2020-12): " + message(e)));
        }
        if (out.isEmpty()) {
            try {
                schema(node).validate(mapper.createObjectNode());
            } catch (SchemaException | IllegalArgumentException e) {
                out.add(new Violation(field, "is not a usable JSON Schema: " + e.getMessage()));
            }
        }
        return out;
    }

    /** Validation messages for {@code value}, each starting with the JSON path it is about; empty when valid. */
    public List<String> validate(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        for (Error e : schema(schema).validate(value)) {
            if (out.size() == MAX_MESSAGES) {
                out.add("...");
                break;
            }
            out.add(message(e));
        }
        return out;
    }

    private Schema schema(JsonNode schema) {
        return compiled.computeIfAbsent(schema.toString(), text -> registry.getSchema(schema));
    }

    /**
     * "$.confidence: required property missing" rather than the library's "$: required property
     * 'confidence' not found": the path itself then names the missing field, for the repair
     * prompt and for the task's error alike.
     */
    static String message(Error e) {
        String at = jsonPath(e.getInstanceLocation());
        if ("required".equals(e.getKeyword()) && e.getProperty() != null) {
            return at + "." + e.getProperty() + ": required property missing";
        }
        String text = String.valueOf(e.getMessage());
        String libraryPath = String.valueOf(e.getInstanceLocation());
        if (text.startsWith(libraryPath)) {
            text = text.substring(libraryPath.length()).replaceFirst("^:?\\s*", "");
        }
        return at + ": " + text;
    }

    /** $, $.a, $.a[0].b: the path the repair prompt and the task error name. */
    private static String jsonPath(NodePath path) {
        StringBuilder out = new StringBuilder("$");
        for (int i = 0; path != null && i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            if (element instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                out.append('.').append(element);
            }
        }
        return out.toString();
    }
}
