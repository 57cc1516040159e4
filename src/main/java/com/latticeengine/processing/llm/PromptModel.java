package com.latticeengine.processing.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.TaskInput;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The values a prompt template sees for one task (docs/LLM.md lists them): {@code requirements},
 * {@code project}, {@code inputs}, {@code input_count}, {@code upstream_data}, {@code context},
 * {@code is_terminal}, {@code output_format}, {@code output_schema} and {@code review_comment}. Upstream outputs become
 * plain maps and lists so that templates can walk into them ({@code upstream_data.parent_data.confidence}).
 */
final class PromptModel {

    /** A value whose {@code {{name}}} shows as prepared text instead of JSON. */
    interface Shown {
        String shown();
    }

    /** The project: its fields for {@code project.<field>}, today's labelled section for {@code {{project}}}. */
    static final class ProjectValue extends LinkedHashMap<String, Object> implements Shown {
        private final String text;

        ProjectValue(Map<String, Object> fields, String text) {
            super(fields);
            this.text = text;
        }

        @Override
        public String shown() {
            return text;
        }
    }

    /** The inputs: a list for sections, today's delimited blocks for {@code {{inputs}}}. */
    static final class InputsValue extends ArrayList<Map<String, Object>> implements Shown {
        private final String text;

        InputsValue(List<Map<String, Object>> items, String text) {
            super(items);
            this.text = text;
        }

        @Override
        public String shown() {
            return text;
        }
    }

    /**
     * Stands for an upstream output at submission time, when no output exists yet: it has every
     * key, so a template may name any field of an output and only names outside outputs are unknown.
     */
    static final class AnyOutput extends AbstractMap<String, Object> implements Shown {
        static final AnyOutput INSTANCE = new AnyOutput();

        @Override
        public boolean containsKey(Object key) {
            return true;
        }

        @Override
        public Object get(Object key) {
            return this;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return Set.of();
        }

        @Override
        public String shown() {
            return "(an upstream output)";
        }
    }

    /** Shown in the project section under their own labels, or never (simulate, and review: the engine's gate). */
    private static final Set<String> NOT_EXTRA = Set.of("name", "layer", "parent_name", "description", "simulate",
            "review");
    static final String PARENT_DATA = "parent_data";

    private final ObjectMapper mapper;

    PromptModel(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** {@code outputs} turns an upstream output into the value templates see. */
    Map<String, Object> of(TaskContext context, String outputFormat, Object outputSchema,
                           Function<JsonNode, Object> outputs) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("requirements", context.requirements() == null ? "" : context.requirements().strip());
        model.put("project", new ProjectValue(context.project(), projectText(context)));
        model.put("inputs", inputs(context.inputs(), outputs));
        model.put("input_count", context.inputs().size());
        model.put("upstream_data", upstreamData(context.inputs(), outputs));
        model.put("context", context.runOptions().get("context") instanceof Map<?, ?> m ? m : Map.of());
        model.put("is_terminal", context.terminal());
        model.put("output_format", outputFormat);
        model.put("output_schema", outputSchema);
        model.put("review_comment", context.reviewComment());
        return model;
    }

    /** The upstream output as plain maps and lists, for the rendering of a real task. */
    Object plain(JsonNode output) {
        return mapper.convertValue(output, Object.class);
    }

    /**
     * ODRAS's UPSTREAM DATA AVAILABLE: the parent's output under {@code parent_data} and each data
     * flow's under its data_type (its source's name when it has none). Where two links share a key
     * both outputs appear, as an array in link order: ODRAS's own map let the second overwrite the
     * first. Missing optional inputs are left out, as ODRAS leaves out results that do not exist.
     */
    private static Map<String, Object> upstreamData(List<TaskInput> inputs, Function<JsonNode, Object> outputs) {
        Map<String, Object> data = new LinkedHashMap<>();
        Set<String> shared = new HashSet<>();
        for (TaskInput input : inputs) {
            if (input.missing()) {
                continue;
            }
            String key = "parent".equals(input.relation()) ? PARENT_DATA
                    : input.dataType() != null ? input.dataType() : input.fromProject();
            Object value = outputs.apply(input.output());
            Object earlier = data.get(key);
            if (!data.containsKey(key)) {
                data.put(key, value);
            } else if (shared.add(key)) {
                data.put(key, new ArrayList<>(List.of(earlier, value)));
            } else {
                @SuppressWarnings("unchecked")
                List<Object> several = (List<Object>) earlier;
                several.add(value);
            }
        }
        return data;
    }

    private InputsValue inputs(List<TaskInput> inputs, Function<JsonNode, Object> outputs) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            TaskInput input = inputs.get(i);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("number", i + 1);
            item.put("from_project", input.fromProject());
            item.put("relation", input.relation());
            item.put("data_type", input.dataType());
            item.put("required", input.required());
            item.put("missing", input.missing());
            item.put("missing_error", input.missingError());
            item.put("output", input.missing() ? null : outputs.apply(input.output()));
            item.put("flow", input.flow());
            items.add(item);
        }
        return new InputsValue(items, inputsText(inputs, outputs));
    }

    private String projectText(TaskContext context) {
        Map<String, Object> p = context.project();
        StringBuilder out = new StringBuilder();
        out.append("Name: ").append(context.projectName()).append('\n');
        out.append("Layer: ").append(p.get("layer")).append('\n');
        if (p.get("parent_name") != null) {
            out.append("Parent: ").append(p.get("parent_name")).append('\n');
        }
        out.append("Description: ").append(p.get("description") == null ? "(none)" : text(p.get("description")))
                .append('\n');
        p.forEach((key, value) -> {
            if (!NOT_EXTRA.contains(key)) {
                out.append(key).append(": ").append(text(value)).append('\n');
            }
        });
        return out.toString().stripTrailing();
    }

    private String inputsText(List<TaskInput> inputs, Function<JsonNode, Object> outputs) {
        if (inputs.isEmpty()) {
            return "(This project has no inputs: it starts from the requirements alone.)\n";
        }
        StringBuilder out = new StringBuilder();
        int n = inputs.size();
        for (int i = 0; i < n; i++) {
            TaskInput input = inputs.get(i);
            String header = "INPUT " + (i + 1) + " of " + n + ": from \"" + input.fromProject() + "\" ("
                    + input.relation() + (input.dataType() == null ? "" : ", data_type: " + input.dataType()) + ")";
            if (input.missing()) {
                out.append("=== ").append(header).append(" [MISSING] ===\n")
                        .append("This optional input is missing: ").append(input.missingError()).append('\n');
            } else {
                out.append("=== ").append(header).append(" ===\n")
                        .append(outputText(outputs.apply(input.output()))).append('\n');
            }
            out.append("=== END INPUT ").append(i + 1).append(" ===\n\n");
        }
        return out.toString();
    }

    /** A text output shows as its text; anything else as indented JSON. */
    private String outputText(Object output) {
        if (output instanceof Shown s) {
            return s.shown();
        }
        if (output instanceof Map<?, ?> m && m.size() == 1 && m.get("text") instanceof String text) {
            return text.strip();
        }
        return text(output);
    }

    /** How a template shows any value: strings as they are, prepared sections as text, the rest as indented JSON. */
    String text(Object value) {
        if (value instanceof Shown s) {
            return s.shown();
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
