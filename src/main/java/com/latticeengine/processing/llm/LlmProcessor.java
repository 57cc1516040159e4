package com.latticeengine.processing.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.lattice.Lattice;
import com.latticeengine.lattice.Violation;
import com.latticeengine.processing.ModelCallEvents;
import com.latticeengine.processing.ProcessingException;
import com.latticeengine.processing.Processor;
import com.latticeengine.processing.ProcessorResult;
import com.latticeengine.processing.RateLimitedException;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.Usage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Processes a project with one chat-completion call to an OpenAI-compatible endpoint: the run's
 * requirements, the project and every input go into the prompt; the answer is stored as
 * {@code {"text": ...}}, or as the parsed JSON object when the project says {@code "output": "json"}
 * or the run's {@code llm.json} is true.
 */
@ApplicationScoped
public class LlmProcessor implements Processor {

    public static final String NAME = "llm";

    private final LlmSettings settings;
    private final PromptRenderer prompts;
    private final ChatModels models;
    private final ObjectMapper mapper;
    private final Map<String, LatticeConfig.Llm.Price> prices;
    private final ModelCallEvents calls;

    public LlmProcessor(LlmSettings settings, PromptRenderer prompts, ChatModels models, ObjectMapper mapper,
                        LatticeConfig config, ModelCallEvents calls) {
        this.settings = settings;
        this.prompts = prompts;
        this.models = models;
        this.mapper = mapper;
        this.prices = config.llm().prices();
        this.calls = calls;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** An unconfigured endpoint, bad {@code llm} options or templates that cannot render reject the run. */
    @Override
    public List<Violation> validate(Map<String, Object> runOptions, Lattice lattice) {
        List<Violation> errors = new ArrayList<>();
        if (!settings.configured()) {
            errors.add(new Violation("processor", LlmSettings.missingConfigMessage()));
        }
        errors.addAll(LlmSettings.validate(runOptions));
        if (errors.isEmpty()) {
            errors.addAll(prompts.check(runOptions, lattice));
        }
        return errors;
    }

    @Override
    public Optional<String> limitKey(Map<String, Object> runOptions, Map<String, Object> project) {
        return Optional.of("llm|" + settings.baseUrl() + "|" + settings.forRun(runOptions).model());
    }

    @Override
    public Optional<String> cacheKey(TaskContext context) {
        CallSettings call = callSettings(context);
        PromptRenderer.Prompt prompt;
        try {
            prompt = prompts.render(context, call.json());
        } catch (PromptRenderer.TemplateException e) {
            return Optional.empty(); // process() fails the attempt with the template's error
        }
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("processor", NAME);
        key.put("base_url", settings.baseUrl());
        key.put("model", call.model());
        key.put("temperature", call.temperature());
        key.put("max_tokens", call.maxTokens());
        key.put("json", call.json());
        key.put("system", prompt.system());
        key.put("user", prompt.user());
        try {
            return Optional.of(sha256(mapper.writeValueAsString(key)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    @Override
    public ProcessorResult process(TaskContext context) throws ProcessingException, InterruptedException {
        if (!settings.configured()) {
            throw ProcessingException.permanent(LlmSettings.missingConfigMessage());
        }
        CallSettings call = callSettings(context);
        PromptRenderer.Prompt prompt;
        try {
            prompt = prompts.render(context, call.json());
        } catch (PromptRenderer.TemplateException e) {
            // The same upstream outputs would fail the same way on every attempt.
            throw ProcessingException.permanent(e.getMessage());
        }
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from(prompt.system()), UserMessage.from(prompt.user()))
                .build();
        long started = System.nanoTime();
        ChatResponse response;
        try {
            response = models.forSettings(call).chat(request);
        } catch (RuntimeException e) {
            if (Thread.interrupted()) {
                calls.modelCalled(call.model(), ModelCallEvents.INTERRUPTED, 0, 0, null);
                throw new InterruptedException("model call interrupted");
            }
            ProcessingException failure = LlmErrors.classify(e, settings.apiKey(), call.timeout());
            calls.modelCalled(call.model(), failure instanceof RateLimitedException ? ModelCallEvents.RATE_LIMITED
                    : ModelCallEvents.ERROR, 0, 0, null);
            throw failure;
        }
        long latencyMs = (System.nanoTime() - started) / 1_000_000;
        Usage usage = usage(call, response, latencyMs);
        calls.modelCalled(usage.model(), ModelCallEvents.ANSWERED, usage.inputTokens(), usage.outputTokens(),
                usage.costUsd());
        String text = response.aiMessage() == null ? null : response.aiMessage().text();
        if (text == null || text.isBlank()) {
            throw ProcessingException.retryable("the model returned an empty answer (finish reason: "
                    + response.finishReason() + ")");
        }
        return new ProcessorResult(output(text, call.json()), usage);
    }

    private CallSettings callSettings(TaskContext context) {
        CallSettings call = settings.forRun(context.runOptions());
        return call.withJson(call.json() || "json".equals(context.project().get("output")));
    }

    private JsonNode output(String text, boolean json) throws ProcessingException {
        if (!json) {
            ObjectNode out = mapper.createObjectNode();
            out.put("text", text);
            return out;
        }
        String candidate = stripFences(text.strip());
        try {
            JsonNode parsed = mapper.readTree(candidate);
            if (parsed == null || !parsed.isObject()) {
                throw ProcessingException.retryable("the model was asked for a JSON object but answered with "
                        + (parsed == null ? "nothing" : parsed.getNodeType().toString().toLowerCase()));
            }
            return parsed;
        } catch (JsonProcessingException e) {
            throw ProcessingException.retryable("the model was asked for JSON but its answer is not valid JSON: "
                    + e.getOriginalMessage());
        }
    }

    /** Models sometimes wrap JSON in a Markdown code fence despite the instructions. */
    static String stripFences(String text) {
        if (text.startsWith("```") && text.endsWith("```") && text.length() >= 6) {
            String inner = text.substring(3, text.length() - 3);
            int newline = inner.indexOf('\n');
            return newline < 0 ? inner : inner.substring(newline + 1);
        }
        return text;
    }

    private Usage usage(CallSettings call, ChatResponse response, long latencyMs) {
        TokenUsage tokens = response.tokenUsage();
        long in = tokens == null || tokens.inputTokenCount() == null ? 0 : tokens.inputTokenCount();
        long out = tokens == null || tokens.outputTokenCount() == null ? 0 : tokens.outputTokenCount();
        String reported = response.metadata() == null ? null : response.metadata().modelName();
        String model = reported == null || reported.isBlank() ? call.model() : reported;
        LatticeConfig.Llm.Price price = prices.get(call.model());
        if (price == null && reported != null) {
            price = prices.get(reported);
        }
        Double cost = price == null ? null
                : (in * price.inputPerMillion() + out * price.outputPerMillion()) / 1_000_000d;
        return new Usage(model, in, out, latencyMs, cost);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
