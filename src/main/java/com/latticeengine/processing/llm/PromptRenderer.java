package com.latticeengine.processing.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.TaskInput;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Renders the system and user messages of one task from two templates. Placeholders:
 * {@code {{requirements}}}, {@code {{project}}}, {@code {{inputs}}}, {@code {{input_count}}},
 * {@code {{output_format}}}. Substitution is a single pass, so text inside the values (which
 * comes from users and upstream models) is never treated as a placeholder.
 */
@ApplicationScoped
public class PromptRenderer {

    public record Prompt(String system, String user) {
    }

    /** Shown in the project section under their own labels, or never (simulate). */
    private static final Set<String> NOT_EXTRA = Set.of("name", "layer", "parent_name", "description", "simulate");

    static final String TEXT_FORMAT = "Answer in plain text (Markdown allowed).";
    static final String JSON_FORMAT = "Answer with a single JSON object only: no prose, no code fences.";

    private final ObjectMapper mapper;
    private final String systemTemplate;
    private final String userTemplate;

    @Inject
    public PromptRenderer(ObjectMapper mapper, LatticeConfig config) {
        this(mapper, load(config.llm().systemPrompt(), "prompts/system.txt"),
                load(config.llm().userPrompt(), "prompts/user.txt"));
    }

    PromptRenderer(ObjectMapper mapper, String systemTemplate, String userTemplate) {
        this.mapper = mapper;
        this.systemTemplate = systemTemplate;
        this.userTemplate = userTemplate;
    }

    public Prompt render(TaskContext context, boolean json) {
        Map<String, String> values = Map.of(
                "requirements", context.requirements() == null ? "" : context.requirements().strip(),
                "project", project(context),
                "inputs", inputs(context.inputs()),
                "input_count", Integer.toString(context.inputs().size()),
                "output_format", json ? JSON_FORMAT : TEXT_FORMAT);
        return new Prompt(fill(systemTemplate, values), fill(userTemplate, values));
    }

    private String project(TaskContext context) {
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

    private String inputs(List<TaskInput> inputs) {
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
                out.append("=== ").append(header).append(" ===\n").append(outputText(input.output())).append('\n');
            }
            out.append("=== END INPUT ").append(i + 1).append(" ===\n\n");
        }
        return out.toString();
    }

    /** A text output shows as its text; anything else as indented JSON. */
    private String outputText(JsonNode output) {
        if (output.isObject() && output.size() == 1 && output.path("text").isTextual()) {
            return output.get("text").textValue().strip();
        }
        return text(output);
    }

    private String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    static String fill(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() * 2);
        int at = 0;
        while (true) {
            int open = template.indexOf("{{", at);
            int close = open < 0 ? -1 : template.indexOf("}}", open + 2);
            if (close < 0) {
                out.append(template, at, template.length());
                return out.toString();
            }
            String name = template.substring(open + 2, close).strip();
            out.append(template, at, open);
            out.append(values.containsKey(name) ? values.get(name) : template.substring(open, close + 2));
            at = close + 2;
        }
    }

    /** {@code file:/path} reads a file, any other configured value is the template itself. */
    static String load(Optional<String> configured, String resource) {
        if (configured.isPresent()) {
            String value = configured.get();
            if (value.startsWith("file:")) {
                try {
                    return Files.readString(Path.of(value.substring("file:".length())), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read prompt template " + value, e);
                }
            }
            return value;
        }
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("prompt template resource " + resource + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
