package com.latticeengine.processing.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.quarkiverse.langchain4j.openai.QuarkusOpenAiChatModelBuilderFactory;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One langchain4j {@link OpenAiChatModel} per distinct call settings, built through the
 * extension's builder factory (so calls go through the extension's REST client) but with
 * {@code maxRetries(0)}: langchain4j counts retries after the first try, so 0 means exactly one
 * HTTP request per call. The engine's attempt/backoff policy is the only retry policy.
 * <p>
 * Why not the extension's {@code ChatModel} bean or an {@code @RegisterAiService}: the bean
 * requires {@code max-retries >= 1} (two requests per attempt on a 5xx) and both fix model,
 * temperature, max tokens and timeout at startup, while a run may override each of them.
 */
@ApplicationScoped
public class ChatModels {

    private final LlmSettings settings;
    private final Map<CallSettings, ChatModel> models = new ConcurrentHashMap<>();

    public ChatModels(LlmSettings settings) {
        this.settings = settings;
    }

    public ChatModel forSettings(CallSettings call) {
        return models.computeIfAbsent(call, this::build);
    }

    private ChatModel build(CallSettings call) {
        var builder = (QuarkusOpenAiChatModelBuilderFactory.Builder) OpenAiChatModel.builder();
        builder.configName("<default>");
        builder.logCurl(false); // would print the full key
        builder.baseUrl(settings.baseUrl())
                .apiKey(settings.apiKey())
                .modelName(call.model())
                .temperature(call.temperature())
                .maxTokens(call.maxTokens())
                .timeout(call.timeout())
                .maxRetries(0)
                .logRequests(settings.logRequests())
                .logResponses(settings.logResponses());
        if (call.json()) {
            builder.responseFormat("json_object");
        }
        return builder.build();
    }
}
