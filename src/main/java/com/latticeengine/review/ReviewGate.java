package com.latticeengine.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.latticeengine.lattice.Violation;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A review gate on a task's output: {@code {"when": "<CEL expression over output>"}} or
 * {@code {"always": true}}. A task whose output trips it waits as AWAITING_REVIEW for a person's
 * decision instead of succeeding. The expression sees the output as {@code output} (a map, so
 * {@code output.confidence < 0.7}); it must yield a boolean. An evaluation that fails (a field the
 * output does not have, a type mismatch) trips the gate: a person decides, rather than an output
 * that could not be checked going downstream unseen.
 */
public final class ReviewGate {

    private static final Set<String> FIELDS = Set.of("when", "always");
    private static final int MAX_EXPRESSION_CHARS = 4096;
    /**
     * Numbers compare across int and double ({@code output.confidence < 0.7} with a confidence of 1),
     * as JSON does not tell them apart; loops over lists are bounded.
     */
    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .comprehensionMaxIterations(10_000)
            .build();
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("output", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private final String expression;
    private final CelRuntime.Program program;

    private ReviewGate(String expression, CelRuntime.Program program) {
        this.expression = expression;
        this.program = program;
    }

    /** Every output needs review. */
    public static final ReviewGate ALWAYS = new ReviewGate(null, null);

    /**
     * The gate a submission's {@code review} value describes (at {@code path}, e.g.
     * {@code lattice.projects[3].review}); empty when it is {@code {"always": false}} (no review) or
     * invalid, with each problem added to {@code errors}.
     */
    public static Optional<ReviewGate> parse(Object value, String path, List<Violation> errors) {
        if (!(value instanceof Map<?, ?> map)) {
            errors.add(new Violation(path, "must be an object: {\"when\": \"<CEL expression>\"} or {\"always\": true}"));
            return Optional.empty();
        }
        int before = errors.size();
        map.keySet().forEach(k -> {
            if (!FIELDS.contains(k)) {
                errors.add(new Violation(path + "." + k, "unknown field; known: when, always"));
            }
        });
        Object when = map.get("when");
        Object always = map.get("always");
        if ((when == null) == (always == null)) {
            errors.add(new Violation(path, "needs exactly one of when or always"));
            return Optional.empty();
        }
        if (always != null) {
            if (!(always instanceof Boolean b)) {
                errors.add(new Violation(path + ".always", "must be a boolean"));
                return Optional.empty();
            }
            return errors.size() == before && b ? Optional.of(ALWAYS) : Optional.empty();
        }
        if (!(when instanceof String text) || text.isBlank()) {
            errors.add(new Violation(path + ".when", "must be a non-empty string (a CEL expression over output)"));
            return Optional.empty();
        }
        if (text.length() > MAX_EXPRESSION_CHARS) {
            errors.add(new Violation(path + ".when", "must be at most " + MAX_EXPRESSION_CHARS + " characters"));
            return Optional.empty();
        }
        try {
            ReviewGate gate = compile(text);
            return errors.size() == before ? Optional.of(gate) : Optional.empty();
        } catch (IllegalArgumentException e) {
            errors.add(new Violation(path + ".when", e.getMessage()));
            return Optional.empty();
        }
    }

    /** Compiles a stored expression; throws IllegalArgumentException saying why it is not a boolean CEL expression. */
    public static ReviewGate compile(String expression) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            return new ReviewGate(expression, RUNTIME.createProgram(ast));
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("is not a valid CEL expression over output returning a boolean: "
                    + e.getErrors().stream().map(ReviewGate::describe).collect(Collectors.joining("; ")));
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException("could not be prepared: " + e.getMessage());
        }
    }

    private static String describe(CelIssue issue) {
        return "column " + (issue.getSourceLocation().getColumn() + 1) + ": " + issue.getMessage();
    }

    /** The expression, or null for {@code always}. */
    public String expression() {
        return expression;
    }

    /** Why the output needs review, or empty when it passes. */
    public Optional<String> check(JsonNode output) {
        if (program == null) {
            return Optional.of("review.always");
        }
        try {
            Object result = program.eval(Map.of("output", celValue(output)));
            return Boolean.TRUE.equals(result) ? Optional.of("review.when is true: " + expression) : Optional.empty();
        } catch (CelEvaluationException | RuntimeException e) {
            return Optional.of("review.when could not be evaluated, so the output needs review: " + e.getMessage());
        }
    }

    /** JSON as CEL sees it: objects as maps, arrays as lists, integers as int, other numbers as double. */
    static Object celValue(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), celValue(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(item -> list.add(celValue(item)));
            return list;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }
}
