package com.latticeengine.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A fake OpenAI-compatible server (WireMock on a random port) for the real langchain4j client.
 * Tests tell their calls apart by the model name each run asks for; the server counts requests
 * in flight per model.
 */
public class FakeOpenAi implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "sk-test-SECRET-123";
    public static final String PATH = "/v1/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static volatile WireMockServer server;
    private static final Map<String, AtomicInteger> IN_FLIGHT = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> MAX_IN_FLIGHT = new ConcurrentHashMap<>();

    /** Counts requests between arrival and the end of their response, per model. */
    public static class InFlight implements ServeEventListener {
        @Override
        public String getName() {
            return "in-flight";
        }

        @Override
        public void beforeMatch(ServeEvent event, Parameters parameters) {
            String model = modelOf(event.getRequest().getBodyAsString());
            int now = IN_FLIGHT.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
            MAX_IN_FLIGHT.computeIfAbsent(model, m -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        }

        @Override
        public void afterComplete(ServeEvent event, Parameters parameters) {
            IN_FLIGHT.computeIfAbsent(modelOf(event.getRequest().getBodyAsString()), m -> new AtomicInteger())
                    .decrementAndGet();
        }
    }

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().dynamicPort().jettyAcceptors(1).containerThreads(40)
                .extensions(new InFlight()));
        server.start();
        return Map.ofEntries(
                Map.entry("quarkus.langchain4j.openai.base-url", "http://127.0.0.1:" + server.port() + "/v1/"),
                Map.entry("quarkus.langchain4j.openai.api-key", API_KEY),
                // Generous: on a loaded 2-core box a 600 ms stub answer can take seconds to arrive.
                Map.entry("quarkus.langchain4j.openai.timeout", "20s"),
                // Logged requests must mask the key, and response logging (bodies may quote the key)
                // must stay off even when asked for: the tests' log check would catch a leak.
                Map.entry("quarkus.langchain4j.openai.log-requests", "true"),
                Map.entry("quarkus.langchain4j.openai.log-responses", "true"),
                Map.entry("lattice.llm.max-concurrent", "3"),
                Map.entry("lattice.worker.concurrency", "8"),
                Map.entry("lattice.llm.prices.\"m-usage\".input-per-million", "1.0"),
                Map.entry("lattice.llm.prices.\"m-usage\".output-per-million", "2.0"),
                Map.entry("lattice.llm.prices.\"m-metrics\".input-per-million", "1.0"),
                Map.entry("lattice.llm.prices.\"m-metrics\".output-per-million", "2.0"));
    }

    /** What a replica process needs to call this fake, from the map {@link #start} returned; more can be added. */
    public static Map<String, String> clientConfig(Map<String, String> started) {
        Map<String, String> config = new LinkedHashMap<>();
        for (String key : List.of("base-url", "api-key", "timeout")) {
            config.put("quarkus.langchain4j.openai." + key, started.get("quarkus.langchain4j.openai." + key));
        }
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    public static String modelOf(String body) {
        try {
            return JSON.readTree(body).path("model").asText("");
        } catch (Exception e) {
            return "";
        }
    }

    public static MappingBuilder call(String model) {
        return post(urlPathEqualTo(PATH)).withRequestBody(matchingJsonPath("$.model", equalTo(model)));
    }

    public static ResponseDefinitionBuilder completion(String model, String content, int promptTokens, int completionTokens) {
        Map<String, Object> body = Map.of(
                "id", "chatcmpl-test", "object", "chat.completion", "created", 1700000000, "model", model,
                "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                        "message", Map.of("role", "assistant", "content", content))),
                "usage", Map.of("prompt_tokens", promptTokens, "completion_tokens", completionTokens,
                        "total_tokens", promptTokens + completionTokens));
        try {
            return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody(JSON.writeValueAsString(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static ResponseDefinitionBuilder error(int status, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"" + message + "\",\"type\":\"test\"}}");
    }

    /** Requests for this model, oldest first. */
    public static List<LoggedRequest> requests(String model) {
        return server.findAll(postRequestedFor(urlPathEqualTo(PATH)).withRequestBody(matchingJsonPath("$.model", equalTo(model))))
                .stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }

    /** Serve events (request and response) for this model, oldest first. */
    public static List<ServeEvent> events(String model) {
        return server.getAllServeEvents().stream()
                .filter(e -> model.equals(modelOf(e.getRequest().getBodyAsString())))
                .sorted(Comparator.comparing(e -> e.getRequest().getLoggedDate())).toList();
    }

    public static int maxInFlight(String model) {
        return MAX_IN_FLIGHT.getOrDefault(model, new AtomicInteger()).get();
    }
}
