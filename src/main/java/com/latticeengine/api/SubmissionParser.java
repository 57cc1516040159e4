package com.latticeengine.api;

import com.latticeengine.engine.RunSubmission;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.latticeengine.lattice.DataFlow;
import com.latticeengine.lattice.InvalidSubmissionException;
import com.latticeengine.lattice.Lattice;
import com.latticeengine.lattice.LatticeValidator;
import com.latticeengine.lattice.LatticeWarnings;
import com.latticeengine.lattice.Project;
import com.latticeengine.lattice.Violation;
import com.latticeengine.store.Callback;
import com.latticeengine.webhooks.AddressGuard;
import com.latticeengine.review.ReviewGate;
import com.latticeengine.store.Budget;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a request body into a {@link RunSubmission}. The tree is walked by hand (rather than data-bound)
 * so that every type problem is reported with its exact JSON path, all at once.
 */
@Singleton
public final class SubmissionParser {
    private static final Set<String> TOP_FIELDS =
            Set.of("requirements", "lattice", "processor", "max_attempts", "task_timeout_ms", "cache", "llm",
                    "prompts", "context", "callback", "review", BudgetFields.FIELD);
    private static final Set<String> PROMPT_FIELDS = Set.of("system", "user");
    private static final Set<String> LATTICE_FIELDS = Set.of("projects", "data_flows");
    // Some Jackson messages embed a second location ("start marker at [Source: ...; line: 1, column: 6]").
    private static final Pattern SOURCE_REF = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)]");

    private final ObjectMapper mapper;
    private final ObjectReader reader;
    private final SubmissionLimits limits;
    private final CallbackParser callbacks;

    /**
     * Without lattice.limits.* (U+0000 is still refused) and with callbacks checked as in prod
     * (no private addresses): for unit tests and trusted input.
     */
    public SubmissionParser(ObjectMapper mapper) {
        this(mapper, SubmissionLimits.none(), new CallbackParser(new AddressGuard(false), true));
    }

    @Inject
    public SubmissionParser(ObjectMapper mapper, SubmissionLimits limits, CallbackParser callbacks) {
        this.mapper = mapper;
        this.limits = limits;
        this.callbacks = callbacks;
        // Trailing garbage and duplicate keys would otherwise be silently accepted or silently last-wins.
        this.reader = mapper.readerFor(JsonNode.class)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    public RunSubmission parse(byte[] body) {
        JsonNode root = readTree(body == null ? new byte[0] : body);
        if (root == null || !root.isObject()) {
            throw new InvalidSubmissionException(List.of(new Violation("body", "must be a JSON object")));
        }
        limits.check(root);
        List<Violation> errors = new ArrayList<>();
        root.fieldNames().forEachRemaining(f -> {
            if (!TOP_FIELDS.contains(f)) {
                errors.add(new Violation(f, "unknown field"));
            }
        });
        String requirements = string(root, "requirements", "requirements", errors);
        Lattice lattice = lattice(root.get("lattice"), errors);
        String processor = string(root, "processor", "processor", errors);
        Long maxAttempts = positive(root, "max_attempts", Integer.MAX_VALUE, errors);
        Long taskTimeoutMs = positive(root, "task_timeout_ms", Long.MAX_VALUE, errors);
        Boolean cache = bool(root, "cache", "cache", errors);
        Map<String, Object> llm = object(root, "llm", errors);
        Map<String, Object> prompts = prompts(root, errors);
        Map<String, Object> context = object(root, "context", errors);
        Callback callback = callbacks.parse(root.get("callback"), errors);
        Map<String, Object> review = review(root, lattice, errors);
        Budget budget = BudgetFields.budget(root.get(BudgetFields.FIELD), errors);
        if (errors.isEmpty()) {
            errors.addAll(LatticeValidator.validate(requirements, lattice));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSubmissionException(errors);
        }
        return new RunSubmission(requirements, lattice, processor,
                maxAttempts == null ? null : maxAttempts.intValue(), taskTimeoutMs, cache, llm, prompts, context,
                LatticeWarnings.of(lattice), callback, review, budget);
    }

    /**
     * The run's {@code review} gate and each project's own, compiled now so that a bad CEL
     * expression is a 400 naming its field, never a surprise at run time. Returns the run's.
     */
    private Map<String, Object> review(JsonNode root, Lattice lattice, List<Violation> errors) {
        Map<String, Object> review = object(root, "review", errors);
        if (review != null) {
            ReviewGate.parse(review, "review", errors);
        }
        if (lattice != null) {
            for (int i = 0; i < lattice.projects().size(); i++) {
                Object own = lattice.projects().get(i).fields().get("review");
                if (own != null) {
                    ReviewGate.parse(own, "lattice.projects[" + i + "].review", errors);
                }
            }
        }
        return review;
    }

    /** Any JSON object, kept as submitted; the processor reads it. */
    private Map<String, Object> object(JsonNode root, String key, List<Violation> errors) {
        JsonNode node = root.get(key);
        if (!present(node)) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new Violation(key, "must be an object"));
            return null;
        }
        return Collections.unmodifiableMap(toMap(node, key, errors));
    }

    /** {system, user}: Mustache templates, checked against the lattice by the processor that renders them. */
    private Map<String, Object> prompts(JsonNode root, List<Violation> errors) {
        Map<String, Object> prompts = object(root, "prompts", errors);
        if (prompts != null) {
            prompts.forEach((k, v) -> {
                if (!PROMPT_FIELDS.contains(k)) {
                    errors.add(new Violation("prompts." + k, "unknown field; known: system, user"));
                } else if (v != null && !(v instanceof String s && !s.isBlank())) {
                    errors.add(new Violation("prompts." + k, "must be a non-empty string (a Mustache template)"));
                }
            });
        }
        return prompts;
    }

    private JsonNode readTree(byte[] body) {
        try {
            return reader.readValue(body);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : ", at line " + loc.getLineNr() + " column " + loc.getColumnNr();
            String message = SOURCE_REF.matcher(String.valueOf(e.getOriginalMessage())).replaceAll("line $1 column $2");
            throw new InvalidSubmissionException(List.of(new Violation("body", "malformed JSON: " + message + where)));
        } catch (IOException | RuntimeException e) {
            throw new InvalidSubmissionException(List.of(new Violation("body", "malformed JSON: " + e.getMessage())));
        }
    }

    private Lattice lattice(JsonNode node, List<Violation> errors) {
        if (!present(node)) {
            errors.add(new Violation("lattice", "is required"));
            return null;
        }
        if (!node.isObject()) {
            errors.add(new Violation("lattice", "must be an object"));
            return null;
        }
        // ODRAS writes its analysis next to the graph (analysis_summary, confidence, domains...):
        // kept as the run's lattice_metadata, never interpreted.
        Map<String, Object> metadata = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (!LATTICE_FIELDS.contains(e.getKey())) {
                metadata.put(e.getKey(), toValue(e.getValue(), "lattice." + e.getKey(), errors));
            }
        });
        List<Project> projects = new ArrayList<>();
        JsonNode projectsNode = node.get("projects");
        if (present(projectsNode) && !projectsNode.isArray()) {
            errors.add(new Violation("lattice.projects", "must be an array"));
        } else if (present(projectsNode)) {
            for (int i = 0; i < projectsNode.size(); i++) {
                Project p = project(projectsNode.get(i), "lattice.projects[" + i + "]", errors);
                if (p != null) {
                    projects.add(p);
                }
            }
        }
        List<DataFlow> flows = new ArrayList<>();
        JsonNode flowsNode = node.get("data_flows");
        if (present(flowsNode) && !flowsNode.isArray()) {
            errors.add(new Violation("lattice.data_flows", "must be an array"));
        } else if (present(flowsNode)) {
            for (int j = 0; j < flowsNode.size(); j++) {
                DataFlow f = dataFlow(flowsNode.get(j), "lattice.data_flows[" + j + "]", errors);
                if (f != null) {
                    flows.add(f);
                }
            }
        }
        return new Lattice(projects, flows, metadata);
    }

    private Project project(JsonNode node, String path, List<Violation> errors) {
        if (!node.isObject()) {
            errors.add(new Violation(path, "must be an object"));
            return null;
        }
        String name = string(node, "name", path + ".name", errors);
        String parent = string(node, "parent_name", path + ".parent_name", errors);
        Integer layer = null;
        JsonNode layerNode = node.get("layer");
        if (present(layerNode)) {
            if (!layerNode.isIntegralNumber()) {
                errors.add(new Violation(path + ".layer", "must be an integer"));
            } else if (!layerNode.canConvertToInt()) {
                errors.add(new Violation(path + ".layer", "must be an integer between 0 and " + Integer.MAX_VALUE));
            } else {
                layer = layerNode.intValue();
            }
        }
        return new Project(name, layer, parent, toMap(node, path, errors));
    }

    private DataFlow dataFlow(JsonNode node, String path, List<Violation> errors) {
        if (!node.isObject()) {
            errors.add(new Violation(path, "must be an object"));
            return null;
        }
        String from = string(node, "from_project", path + ".from_project", errors);
        String to = string(node, "to_project", path + ".to_project", errors);
        String dataType = string(node, "data_type", path + ".data_type", errors);
        Boolean required = bool(node, "required", path + ".required", errors);
        return new DataFlow(from, to, dataType, required == null || required, toMap(node, path, errors));
    }

    /** Absent and explicit null both mean "not given". */
    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static String string(JsonNode parent, String key, String path, List<Violation> errors) {
        JsonNode node = parent.get(key);
        if (!present(node)) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new Violation(path, "must be a string"));
            return null;
        }
        return node.textValue();
    }

    private static Boolean bool(JsonNode parent, String key, String path, List<Violation> errors) {
        JsonNode node = parent.get(key);
        if (!present(node)) {
            return null;
        }
        if (!node.isBoolean()) {
            errors.add(new Violation(path, "must be a boolean"));
            return null;
        }
        return node.booleanValue();
    }

    private static Long positive(JsonNode parent, String key, long max, List<Violation> errors) {
        JsonNode node = parent.get(key);
        if (!present(node)) {
            return null;
        }
        if (!node.isIntegralNumber() || node.bigIntegerValue().signum() <= 0) {
            errors.add(new Violation(key, "must be an integer >= 1"));
            return null;
        }
        if (node.bigIntegerValue().compareTo(BigInteger.valueOf(max)) > 0) {
            errors.add(new Violation(key, "must be an integer between 1 and " + max));
            return null;
        }
        return node.longValue();
    }

    private Object toValue(JsonNode node, String path, List<Violation> errors) {
        try {
            return mapper.treeToValue(node, Object.class);
        } catch (JsonProcessingException | RuntimeException e) {
            errors.add(new Violation(path, "could not be read: " + e.getMessage()));
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> toMap(JsonNode node, String path, List<Violation> errors) {
        try {
            // LinkedHashMap is Jackson's default for untyped objects, so field order is preserved.
            return mapper.treeToValue(node, LinkedHashMap.class);
        } catch (JsonProcessingException | RuntimeException e) {
            errors.add(new Violation(path, "could not be read: " + e.getMessage()));
            return new LinkedHashMap<>();
        }
    }
}
