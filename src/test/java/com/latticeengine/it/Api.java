package com.latticeengine.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The engine's REST API as the tests use it. */
public final class Api {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Api() {
    }

    /** POST /api/runs; expects 201 and returns the new run's id. */
    public static UUID submit(ReplicaProcess replica, JsonNode submission) {
        HttpResponse<String> response = send(replica, HttpRequest.newBuilder(uri(replica, "/api/runs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(submission.toString())));
        assertEquals(201, response.statusCode(), "submission rejected: " + response.body());
        JsonNode body = read(response.body());
        System.out.printf("[it] submitted run %s with %d task(s) via %s%n", body.path("id").asText(),
                body.path("tasks").size(), replica.name());
        return UUID.fromString(body.path("id").asText());
    }

    /** GET /api/runs/{id}. */
    public static JsonNode run(ReplicaProcess replica, UUID runId) {
        return get(replica, "/api/runs/" + runId);
    }

    /** GET /api/runs/{id}/tasks/{name}: the task with its attempts. */
    public static JsonNode task(ReplicaProcess replica, UUID runId, String name) {
        return get(replica, "/api/runs/" + runId + "/tasks/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                .replace("+", "%20"));
    }

    private static JsonNode get(ReplicaProcess replica, String path) {
        HttpResponse<String> response = send(replica, HttpRequest.newBuilder(uri(replica, path)).GET());
        assertEquals(200, response.statusCode(), "GET " + path + " failed: " + response.body());
        return read(response.body());
    }

    private static URI uri(ReplicaProcess replica, String path) {
        return URI.create("http://127.0.0.1:" + replica.port() + path);
    }

    private static HttpResponse<String> send(ReplicaProcess replica, HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("HTTP call to " + replica + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }
}
