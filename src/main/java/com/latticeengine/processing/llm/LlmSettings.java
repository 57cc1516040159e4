package com.latticeengine.processing.llm;

import com.latticeengine.lattice.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The endpoint and model defaults, read from the extension's own {@code quarkus.langchain4j.openai.*}
 * keys so that one set of properties configures everything, plus the run's {@code llm} overrides.
 */
@ApplicationScoped
public class LlmSettings {

    static final String PREFIX = "quarkus.langchain4j.openai.";
    static final String API_KEY = PREFIX + "api-key";
    static final String BASE_URL = PREFIX + "base-url";
    static final String OPENAI_BASE_URL = "https://api.openai.com/v1/";
    /** The extension's placeholder default for an unset key. */
    static final String DUMMY_KEY = "dummy";
    /** What a project's own {@code llm} object may set. */
    static final Set<String> PROJECT_OPTIONS = Set.of("model", "temperature", "max_tokens", "timeout_ms", "json");
    /** The run's {@code llm} object: the call settings, and how JSON answers are asked for and repaired. */
    static final Set<String> RUN_OPTIONS = Set.of("model", "temperature", "max_tokens", "timeout_ms", "json",
            "output_schema", "structured", "repair_attempts");
    static final List<String> STRUCTURED = List.of("json_object", "json_schema");
    static final int MAX_REPAIRS = 5;

    private final String baseUrl;
    private final String apiKey;
    private final CallSettings defaults;
    private final boolean logRequests;
    private final boolean logResponses;

    @Inject
    public LlmSettings(Config config) {
        this.baseUrl = config.getOptionalValue(BASE_URL, String.class).filter(s -> !s.isBlank()).orElse(OPENAI_BASE_URL);
        this.apiKey = config.getOptionalValue(API_KEY, String.class).filter(s -> !s.isBlank()).orElse(DUMMY_KEY);
        Duration timeout = config.getOptionalValue(PREFIX + "timeout", Duration.class).orElse(Duration.ofSeconds(60));
        this.defaults = new CallSettings(
                config.getOptionalValue(PREFIX + "chat-model.model-name", String.class).orElse("gpt-4o-mini"),
                config.getOptionalValue(PREFIX + "chat-model.temperature", Double.class).orElse(null),
                config.getOptionalValue(PREFIX + "chat-model.max-tokens", Integer.class).orElse(null),
                wholeSeconds(timeout), false);
        this.logRequests = config.getOptionalValue(PREFIX + "log-requests", Boolean.class).orElse(false);
        // Never: providers echo credentials in error bodies (a 401 may quote the key), and the
        // extension's response logger prints bodies verbatim.
        this.logResponses = false;
    }

    LlmSettings(String baseUrl, String apiKey, CallSettings defaults) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.defaults = defaults;
        this.logRequests = false;
        this.logResponses = false;
    }

    /**
     * Like the extension's own check: the real OpenAI endpoint needs a real key; any other
     * base URL (a gateway, a local server) may work without one.
     */
    public boolean configured() {
        return !(DUMMY_KEY.equals(apiKey) && OPENAI_BASE_URL.equals(baseUrl));
    }

    public static String missingConfigMessage() {
        return "the llm processor is not configured: set " + API_KEY + " (env QUARKUS_LANGCHAIN4J_OPENAI_API_KEY)"
                + " for OpenAI, or " + BASE_URL + " (env QUARKUS_LANGCHAIN4J_OPENAI_BASE_URL) for another"
                + " OpenAI-compatible server";
    }

    public String baseUrl() {
        return baseUrl;
    }

    String apiKey() {
        return apiKey;
    }

    public CallSettings defaults() {
        return defaults;
    }

    boolean logRequests() {
        return logRequests;
    }

    boolean logResponses() {
        return logResponses;
    }

    /** The run's {@code llm} object on top of the defaults; assumes {@link #validate} found nothing. */
    public CallSettings forRun(Map<String, Object> runOptions) {
        return forTask(runOptions, Map.of());
    }

    /**
     * What one project's calls use: the defaults, then the run's {@code llm}, then the project's
     * own {@code llm} (e.g. a small model for decomposition, a strong one for the final selection).
     */
    public CallSettings forTask(Map<String, Object> runOptions, Map<String, Object> project) {
        Map<?, ?> run = runOptions.get("llm") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> own = project.get("llm") instanceof Map<?, ?> m ? m : Map.of();
        CallSettings d = defaults;
        Object model = pick("model", own, run);
        Object temperature = pick("temperature", own, run);
        Object maxTokens = pick("max_tokens", own, run);
        Object timeoutMs = pick("timeout_ms", own, run);
        return new CallSettings(
                model instanceof String s ? s : d.model(),
                temperature instanceof Number n ? n.doubleValue() : d.temperature(),
                maxTokens instanceof Number n ? n.intValue() : d.maxTokens(),
                wholeSeconds(timeoutMs instanceof Number n ? Duration.ofMillis(n.longValue()) : d.timeout()),
                Boolean.TRUE.equals(pick("json", own, run)));
    }

    private static Object pick(String key, Map<?, ?> own, Map<?, ?> run) {
        return own.get(key) != null ? own.get(key) : run.get(key);
    }

    /**
     * The extension's REST client takes connect/read timeouts in whole seconds (800 ms would
     * become 0 = no timeout), so a timeout is rounded up to the next second, at least one.
     */
    static Duration wholeSeconds(Duration timeout) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        return Duration.ofSeconds(seconds);
    }

    /** Type errors of the run's {@code llm} object, with their JSON paths. */
    public static List<Violation> validate(Map<String, Object> runOptions) {
        return runOptions.get("llm") instanceof Map<?, ?> llm ? validate(llm, "llm", RUN_OPTIONS) : List.of();
    }

    /** Type errors of an {@code llm} object at {@code path}; {@code known} are the keys it may have. */
    public static List<Violation> validate(Map<?, ?> llm, String path, Set<String> known) {
        List<Violation> errors = new ArrayList<>();
        llm.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (!known.contains(key)) {
                errors.add(new Violation(path + "." + key, "unknown option; known: "
                        + String.join(", ", known.stream().sorted().toList())));
            }
        });
        check(llm.get("model"), v -> v instanceof String s && !s.isBlank(), path + ".model", "must be a non-empty string", errors);
        check(llm.get("temperature"), v -> v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 2,
                path + ".temperature", "must be a number between 0 and 2", errors);
        check(llm.get("max_tokens"), v -> isPositiveInt(v, Integer.MAX_VALUE), path + ".max_tokens", "must be an integer >= 1", errors);
        check(llm.get("timeout_ms"), v -> isPositiveInt(v, Long.MAX_VALUE), path + ".timeout_ms", "must be an integer >= 1", errors);
        check(llm.get("json"), v -> v instanceof Boolean, path + ".json", "must be a boolean", errors);
        check(llm.get("structured"), v -> STRUCTURED.contains(v), path + ".structured",
                "must be one of: " + String.join(", ", STRUCTURED), errors);
        check(llm.get("repair_attempts"), v -> (v instanceof Integer || v instanceof Long)
                && ((Number) v).longValue() >= 0 && ((Number) v).longValue() <= MAX_REPAIRS, path + ".repair_attempts",
                "must be an integer between 0 and " + MAX_REPAIRS, errors);
        return errors;
    }

    private static boolean isPositiveInt(Object v, long max) {
        return (v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 1 && ((Number) v).longValue() <= max;
    }

    private static void check(Object value, java.util.function.Predicate<Object> ok, String path, String reason,
                              List<Violation> errors) {
        if (value != null && !ok.test(value)) {
            errors.add(new Violation(path, reason));
        }
    }

    Optional<String> key() {
        return DUMMY_KEY.equals(apiKey) ? Optional.empty() : Optional.of(apiKey);
    }
}
