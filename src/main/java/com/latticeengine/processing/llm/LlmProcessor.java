package com.latticeengine.processing.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.lattice.Lattice;
import com.latticeengine.lattice.Violation;
import com.latticeengine.processing.CallBudget;
import com.latticeengine.processing.ModelCallEvents;
import com.latticeengine.processing.OverBudgetException;
import com.latticeengine.processing.ProcessingException;
import com.latticeengine.processing.Processor;
import com.latticeengine.processing.ProcessorResult;
import com.latticeengine.processing.RateLimitedException;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.Usage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Processes a project with a chat-completion call to an OpenAI-compatible endpoint: the run's
 * requirements, the project and every input go into the prompt; the answer is stored as
 * {@code {"text": ...}}, or as the parsed JSON object when the project says {@code "output": "json"},
 * the run's or the project's {@code llm.json} is true, or an output schema applies (then only an
 * object valid against it, after repair calls if needed). A project's {@code llm} overrides the run's.
 */
@ApplicationScoped
public class LlmProcessor implements Processor {

    public static final String NAME = "llm";
    /** Tokens a chat format adds around each message (OpenAI documents 3 to 4), with room to spare. */
    private static final int MESSAGE_FRAMING_TOKENS = 8;

    private final LlmSettings settings;
    private final PromptRenderer prompts;
    private final ChatModels models;
    private final ObjectMapper mapper;
    private final Map<String, LatticeConfig.Llm.Price> prices;
    private final ModelCallEvents calls;
    private final OutputSchemas schemas;
    private final int reserveTokens;

    public LlmProcessor(LlmSettings settings, PromptRenderer prompts, ChatModels models, ObjectMapper mapper,
                        LatticeConfig config, ModelCallEvents calls, OutputSchemas schemas) {
        this.settings = settings;
        this.prompts = prompts;
        this.models = models;
        this.mapper = mapper;
        this.prices = config.llm().prices();
        this.calls = calls;
        this.schemas = schemas;
        this.reserveTokens = config.budget().reserveTokens();
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * An unconfigured endpoint, bad {@code llm} options (the run's or a project's), an output
     * schema that is not a JSON Schema, or templates that cannot render reject the run.
     */
    @Override
    public List<Violation> validate(Map<String, Object> runOptions, Lattice lattice) {
        List<Violation> errors = new ArrayList<>();
        if (!settings.configured()) {
            errors.add(new Violation("processor", LlmSettings.missingConfigMessage()));
        }
        errors.addAll(LlmSettings.validate(runOptions));
        if (runOptions.get("llm") instanceof Map<?, ?> llm && llm.get("output_schema") != null) {
            errors.addAll(schemas.check(llm.get("output_schema"), "llm.output_schema"));
        }
        for (int i = 0; i < lattice.projects().size(); i++) {
            Map<String, Object> project = lattice.projects().get(i).fields();
            String path = "lattice.projects[" + i + "]";
            if (project.get("llm") != null) {
                errors.addAll(project.get("llm") instanceof Map<?, ?> own
                        ? LlmSettings.validate(own, path + ".llm", LlmSettings.PROJECT_OPTIONS)
                        : List.of(new Violation(path + ".llm", "must be an object")));
            }
            if (project.get("output_schema") != null) {
                errors.addAll(schemas.check(project.get("output_schema"), path + ".output_schema"));
            }
        }
        if (errors.isEmpty()) {
            errors.addAll(prompts.check(runOptions, lattice));
        }
        return errors;
    }

    /** Per project: the 429 hold and the cluster-wide cap follow the model the project's calls use. */
    @Override
    public Optional<String> limitKey(Map<String, Object> runOptions, Map<String, Object> project) {
        return Optional.of("llm|" + settings.baseUrl() + "|" + settings.forTask(runOptions, project).model());
    }

    /** A cost cap needs a price for every model the run's projects call. */
    @Override
    public List<Violation> validateCostBudget(Map<String, Object> runOptions, List<Map<String, Object>> projects) {
        Set<String> unpriced = new TreeSet<>();
        projects.forEach(p -> unpriced.add(settings.forTask(runOptions, p).model()));
        unpriced.removeAll(prices.keySet());
        return unpriced.isEmpty() ? List.of() : List.of(new Violation("budget.max_cost_usd", "no price in"
                + " lattice.llm.prices for model(s) " + String.join(", ", unpriced)
                + ": a cost cap cannot be enforced without one"));
    }

    /**
     * The project's call settings; under a capped budget a call without max_tokens gets the
     * reserve allowance as its limit, so that its worst case is a real bound.
     */
    private CallSettings callSettings(TaskContext context) {
        CallSettings call = settings.forTask(context.runOptions(), context.project());
        return call.maxTokens() == null && context.budget().capped() ? call.withMaxTokens(reserveTokens) : call;
    }

    @Override
    public Optional<String> cacheKey(TaskContext context) {
        CallSettings call = callSettings(context);
        OutputSpec spec = OutputSpec.of(context.runOptions(), context.project(), call, mapper);
        PromptRenderer.Prompt prompt;
        try {
            prompt = prompts.render(context, spec);
        } catch (PromptRenderer.TemplateException e) {
            return Optional.empty(); // process() fails the attempt with the template's error
        }
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("processor", NAME);
        key.put("base_url", settings.baseUrl());
        key.put("model", call.model());
        key.put("temperature", call.temperature());
        key.put("max_tokens", call.maxTokens());
        key.put("json", spec.json());
        key.put("output_schema", spec.schema());
        key.put("json_schema_format", spec.jsonSchemaFormat());
        key.put("system", prompt.system());
        key.put("user", prompt.user());
        try {
            return Optional.of(sha256(mapper.writeValueAsString(key)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and JSON always serialises", e);
        }
    }

    /**
     * One attempt: a call, and for an answer that does not validate against the output schema up
     * to {@code repairs} more calls that show the model its answer and the validator's messages.
     * Every call is reported and counted in the attempt's usage; only a valid object is returned.
     */
    @Override
    public ProcessorResult process(TaskContext context) throws ProcessingException, InterruptedException {
        if (!settings.configured()) {
            throw ProcessingException.permanent(LlmSettings.missingConfigMessage());
        }
        CallSettings settled = callSettings(context);
        OutputSpec spec = OutputSpec.of(context.runOptions(), context.project(), settled, mapper);
        CallSettings call = settled.withJson(spec.json());
        PromptRenderer.Prompt prompt;
        try {
            prompt = prompts.render(context, spec);
        } catch (PromptRenderer.TemplateException e) {
            // The same upstream outputs would fail the same way on every attempt.
            throw ProcessingException.permanent(e.getMessage());
        }
        List<ChatMessage> conversation = new ArrayList<>(List.of(SystemMessage.from(prompt.system()),
                UserMessage.from(prompt.user())));
        Usage used = null;
        for (int round = 0; ; round++) {
            Answer answer = call(call, spec, conversation, used, context.budget());
            used = used == null ? answer.usage() : used.plus(answer.usage());
            if (!spec.json()) {
                ObjectNode out = mapper.createObjectNode();
                out.put("text", answer.text());
                return new ProcessorResult(out, used);
            }
            JsonAnswers.Parsed parsed = JsonAnswers.parse(mapper, answer.text());
            List<String> problems = parsed.object() == null ? List.of(parsed.problem())
                    : spec.schema() == null ? List.of() : schemas.validate(spec.schema(), parsed.object());
            if (problems.isEmpty()) {
                return new ProcessorResult(parsed.object(), used);
            }
            if (round >= spec.repairs()) {
                String what = spec.schema() == null ? "the model was asked for a JSON object but "
                        : "the answer does not match the output schema" + (round > 0 ? " after " + round
                        + " repair call(s)" : "") + ": ";
                throw new ProcessingException(what + String.join("; ", problems), true, used);
            }
            conversation.add(AiMessage.from(answer.text()));
            conversation.add(UserMessage.from(repairRequest(problems)));
        }
    }

    private record Answer(String text, Usage usage) {
    }

    /**
     * One call, made only once its worst case is reserved against the run's budget. The
     * reservation settles to the answer's usage, or to nothing when the provider refused the call;
     * a call cut off (timeout, interrupt, lost connection) leaves it to be charged in full, since
     * the provider may have billed it.
     */
    private Answer call(CallSettings call, OutputSpec spec, List<ChatMessage> conversation, Usage before,
                        CallBudget budget) throws ProcessingException, InterruptedException {
        ChatRequest.Builder request = ChatRequest.builder().messages(conversation);
        if (spec.jsonSchemaFormat()) {
            request.responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                    .jsonSchema(JsonSchema.builder().name("output")
                            .rootElement(JsonRawSchema.from(spec.schema().toString())).build())
                    .build());
        }
        long promptTokens = promptTokensAtMost(conversation, spec);
        long completionTokens = call.maxTokens() == null ? reserveTokens : call.maxTokens();
        CallBudget.Reservation reservation;
        try {
            reservation = budget.reserve(promptTokens + completionTokens,
                    worstCost(call, promptTokens, completionTokens));
        } catch (OverBudgetException e) {
            throw before == null ? e : e.withUsage(before);
        } catch (ProcessingException e) {
            throw before == null ? e : new ProcessingException(e.getMessage(), e.retryable(), before);
        }
        long started = System.nanoTime();
        ChatResponse response;
        try {
            response = models.forSettings(call).chat(request.build());
        } catch (RuntimeException e) {
            if (LlmErrors.providerAnswered(e)) {
                reservation.settle(0, BigDecimal.ZERO);
            }
            if (Thread.interrupted()) {
                calls.modelCalled(call.model(), ModelCallEvents.INTERRUPTED, 0, 0, null);
                throw new InterruptedException("model call interrupted");
            }
            ProcessingException failure = LlmErrors.classify(e, settings.apiKey(), call.timeout());
            calls.modelCalled(call.model(), failure instanceof RateLimitedException ? ModelCallEvents.RATE_LIMITED
                    : ModelCallEvents.ERROR, 0, 0, null);
            throw before == null || failure instanceof RateLimitedException ? failure
                    : new ProcessingException(failure.getMessage(), failure.retryable(), before);
        }
        long latencyMs = (System.nanoTime() - started) / 1_000_000;
        Usage usage = usage(call, response, latencyMs);
        LatticeConfig.Llm.Price price = price(call, usage.model());
        reservation.settle(usage.inputTokens() + usage.outputTokens(),
                price == null ? null : cost(price, usage.inputTokens(), usage.outputTokens()));
        calls.modelCalled(usage.model(), ModelCallEvents.ANSWERED, usage.inputTokens(), usage.outputTokens(),
                usage.costUsd());
        String text = response.aiMessage() == null ? null : response.aiMessage().text();
        if (text == null || text.isBlank()) {
            throw new ProcessingException("the model returned an empty answer (finish reason: "
                    + response.finishReason() + ")", true, before == null ? usage : before.plus(usage));
        }
        return new Answer(text, usage);
    }

    static String repairRequest(List<String> problems) {
        return "Your answer is not valid against the required JSON Schema:\n- " + String.join("\n- ", problems)
                + "\nAnswer again with the corrected JSON object only: no prose, no code fences.";
    }

    /**
     * An upper bound of the prompt's tokens: byte-level BPE tokenizers (OpenAI's and most others)
     * never make a token of less than one byte, so the UTF-8 bytes of every message, the schema
     * sent as response format, and a few tokens of framing per message bound the count.
     */
    static long promptTokensAtMost(List<ChatMessage> conversation, OutputSpec spec) {
        long bytes = 0;
        for (ChatMessage message : conversation) {
            String text = message instanceof SystemMessage m ? m.text() : message instanceof UserMessage m
                    ? m.singleText() : message instanceof AiMessage m ? m.text() : message.toString();
            bytes += (text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length) + MESSAGE_FRAMING_TOKENS;
        }
        if (spec.jsonSchemaFormat()) {
            bytes += spec.schema().toString().getBytes(StandardCharsets.UTF_8).length + MESSAGE_FRAMING_TOKENS;
        }
        return bytes + MESSAGE_FRAMING_TOKENS;
    }

    private BigDecimal worstCost(CallSettings call, long promptTokens, long completionTokens) {
        LatticeConfig.Llm.Price price = prices.get(call.model());
        return price == null ? null : cost(price, promptTokens, completionTokens);
    }

    /** Exact decimal cost, rounded up at 12 places so a reservation never prices a call below its bill. */
    static BigDecimal cost(LatticeConfig.Llm.Price price, long inputTokens, long outputTokens) {
        return BigDecimal.valueOf(price.inputPerMillion()).multiply(BigDecimal.valueOf(inputTokens))
                .add(BigDecimal.valueOf(price.outputPerMillion()).multiply(BigDecimal.valueOf(outputTokens)))
                .divide(BigDecimal.valueOf(1_000_000), 12, RoundingMode.UP).stripTrailingZeros();
    }

    private LatticeConfig.Llm.Price price(CallSettings call, String reported) {
        LatticeConfig.Llm.Price price = prices.get(call.model());
        return price == null && reported != null ? prices.get(reported) : price;
    }

    private Usage usage(CallSettings call, ChatResponse response, long latencyMs) {
        TokenUsage tokens = response.tokenUsage();
        long in = tokens == null || tokens.inputTokenCount() == null ? 0 : tokens.inputTokenCount();
        long out = tokens == null || tokens.outputTokenCount() == null ? 0 : tokens.outputTokenCount();
        String reported = response.metadata() == null ? null : response.metadata().modelName();
        String model = reported == null || reported.isBlank() ? call.model() : reported;
        LatticeConfig.Llm.Price price = price(call, reported);
        Double cost = price == null ? null
                : (in * price.inputPerMillion() + out * price.outputPerMillion()) / 1_000_000d;
        return new Usage(model, in, out, latencyMs, cost, 1);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
