package com.latticeengine.processing.llm;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.lattice.Input;
import com.latticeengine.lattice.Lattice;
import com.latticeengine.lattice.LatticeGraph;
import com.latticeengine.lattice.Project;
import com.latticeengine.lattice.Relation;
import com.latticeengine.lattice.Violation;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.TaskInput;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the system and user messages of one task with Mustache (JMustache): the run's
 * {@code prompts.system} / {@code prompts.user} when given, else the configured templates. HTML
 * escaping is off (prompts are not HTML); objects show as indented JSON; a variable that resolves
 * to nothing is an error rather than an empty string, and a null value shows as nothing. Mustache
 * never re-expands a value, so text that came from users or upstream models cannot act as a tag.
 */
@ApplicationScoped
public class PromptRenderer {

    public record Prompt(String system, String user) {
    }

    /** A template that does not compile or names a variable the task does not have. */
    public static final class TemplateException extends RuntimeException {
        private final String field;

        TemplateException(String field, String reason) {
            super(field + ": " + reason);
            this.field = field;
        }

        public String field() {
            return field;
        }

        public String reason() {
            return getMessage().substring(field.length() + 2);
        }
    }

    static final String TEXT_FORMAT = "Answer in plain text (Markdown allowed).";
    static final String JSON_FORMAT = "Answer with a single JSON object only: no prose, no code fences.";
    static final String RUN_SYSTEM = "prompts.system";
    static final String RUN_USER = "prompts.user";
    static final String CONFIGURED_SYSTEM = "lattice.llm.system-prompt";
    static final String CONFIGURED_USER = "lattice.llm.user-prompt";

    private final PromptModel model;
    private final Mustache.Compiler compiler;
    private final String systemTemplate;
    private final String userTemplate;

    @Inject
    public PromptRenderer(ObjectMapper mapper, LatticeConfig config) {
        this(mapper, load(config.llm().systemPrompt(), "prompts/system.txt"),
                load(config.llm().userPrompt(), "prompts/user.txt"));
    }

    PromptRenderer(ObjectMapper mapper, String systemTemplate, String userTemplate) {
        this.model = new PromptModel(mapper);
        this.compiler = Mustache.compiler().escapeHTML(false).nullValue("").withFormatter(model::text);
        // A configured template that does not even compile stops the service at startup.
        compile(CONFIGURED_SYSTEM, systemTemplate);
        compile(CONFIGURED_USER, userTemplate);
        this.systemTemplate = systemTemplate;
        this.userTemplate = userTemplate;
    }

    /** Throws {@link TemplateException} naming the template when it cannot be rendered for this task. */
    Prompt render(TaskContext context, OutputSpec spec) {
        Object schema = spec.schema() == null ? null : model.plain(spec.schema());
        Map<String, Object> values = model.of(context, outputFormat(spec, schema), schema, model::plain);
        return new Prompt(execute(systemField(context.runOptions()), system(context.runOptions()), values),
                execute(userField(context.runOptions()), user(context.runOptions()), values));
    }

    /**
     * Submission-time check: each template is rendered once per project with that project's
     * fields, links, context and sink flag, every upstream output standing in as a value with any
     * field. So a parse error, or a name that no task of this lattice could resolve, is a 400
     * naming the template, instead of every task of the run failing later.
     */
    public List<Violation> check(Map<String, Object> runOptions, Lattice lattice) {
        List<Violation> out = new ArrayList<>();
        String system = system(runOptions);
        String user = user(runOptions);
        for (String[] t : new String[][]{{systemField(runOptions), system}, {userField(runOptions), user}}) {
            try {
                compile(t[0], t[1]);
            } catch (TemplateException e) {
                out.add(new Violation(e.field(), e.reason()));
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        LatticeGraph graph = LatticeGraph.of(lattice);
        Map<String, Map<String, Object>> flows = new HashMap<>();
        lattice.dataFlows().forEach(f -> flows.put(f.fromProject() + "\u0000" + f.toProject() + "\u0000" + f.dataType(),
                f.fields()));
        boolean systemFailed = false;
        boolean userFailed = false;
        for (Project p : lattice.projects()) {
            TaskContext probe = probe(p, graph, flows, runOptions, lattice);
            Map<String, Object> values = model.of(probe, JSON_FORMAT, schemaOf(runOptions, p.fields()),
                    output -> PromptModel.AnyOutput.INSTANCE);
            if (!systemFailed) {
                systemFailed = tryRender(systemField(runOptions), system, values, p.name(), out);
            }
            if (!userFailed) {
                userFailed = tryRender(userField(runOptions), user, values, p.name(), out);
            }
        }
        return out;
    }

    /** The answer instruction of the default templates ({@code {{output_format}}}). */
    private String outputFormat(OutputSpec spec, Object schema) {
        if (!spec.json()) {
            return TEXT_FORMAT;
        }
        return schema == null ? JSON_FORMAT : JSON_FORMAT + " It must be valid against this JSON Schema:\n"
                + model.text(schema);
    }

    private static TaskContext probe(Project p, LatticeGraph graph, Map<String, Map<String, Object>> flows,
                                     Map<String, Object> runOptions, Lattice lattice) {
        List<TaskInput> inputs = new ArrayList<>();
        for (Input in : graph.inputsOf(p.name())) {
            Map<String, Object> flow = in.relation() == Relation.DATA_FLOW
                    ? flows.get(in.fromProject() + "\u0000" + p.name() + "\u0000" + in.dataType()) : null;
            inputs.add(new TaskInput(in.fromProject(), in.relation().wireName(), in.dataType(), in.required(),
                    com.fasterxml.jackson.databind.node.NullNode.getInstance(), null, flow));
        }
        return new TaskContext(null, "", p.name(), p.fields(), inputs, 1, runOptions,
                graph.downstreamOf(p.name()).isEmpty());
    }

    private static Object schemaOf(Map<String, Object> runOptions, Map<String, Object> project) {
        Map<?, ?> llm = runOptions.get("llm") instanceof Map<?, ?> m ? m : Map.of();
        return project.get("output_schema") != null ? project.get("output_schema") : llm.get("output_schema");
    }

    private boolean tryRender(String field, String template, Map<String, Object> values, String project,
                              List<Violation> out) {
        try {
            execute(field, template, values);
            return false;
        } catch (TemplateException e) {
            out.add(new Violation(e.field(), e.reason() + " (for project '" + project + "')"));
            return true;
        }
    }

    private String execute(String field, String template, Map<String, Object> values) {
        Template compiled = compile(field, template);
        try {
            return compiled.execute(values);
        } catch (MustacheException.Context e) {
            throw new TemplateException(field, "unknown variable '" + e.key + "' on line " + e.lineNo);
        } catch (MustacheException e) {
            throw new TemplateException(field, String.valueOf(e.getMessage()));
        }
    }

    private Template compile(String field, String template) {
        try {
            return compiler.compile(template);
        } catch (MustacheException e) {
            throw new TemplateException(field, "does not parse: " + e.getMessage());
        }
    }

    private String system(Map<String, Object> runOptions) {
        return runPrompt(runOptions, "system").orElse(systemTemplate);
    }

    private String user(Map<String, Object> runOptions) {
        return runPrompt(runOptions, "user").orElse(userTemplate);
    }

    private static String systemField(Map<String, Object> runOptions) {
        return runPrompt(runOptions, "system").isPresent() ? RUN_SYSTEM : CONFIGURED_SYSTEM;
    }

    private static String userField(Map<String, Object> runOptions) {
        return runPrompt(runOptions, "user").isPresent() ? RUN_USER : CONFIGURED_USER;
    }

    private static Optional<String> runPrompt(Map<String, Object> runOptions, String which) {
        return runOptions.get("prompts") instanceof Map<?, ?> prompts && prompts.get(which) instanceof String s
                ? Optional.of(s) : Optional.empty();
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
