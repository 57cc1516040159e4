package com.latticeengine.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real HTTP server on 127.0.0.1 that records every POST it gets (headers and exact body bytes)
 * and answers with the status {@code answer} picks for it; {@code answer} may also block, to play
 * a receiver that hangs.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received; header names lower-case. */
    public record Request(Map<String, String> headers, byte[] body, long receivedAtNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final ToIntFunction<Request> answer;

    public WebhookReceiver(ToIntFunction<Request> answer) {
        this.answer = answer;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            Request request = new Request(headers, exchange.getRequestBody().readAllBytes(), System.nanoTime());
            synchronized (this) {
                requests.add(request);
                notifyAll();
            }
            exchange.sendResponseHeaders(answer.applyAsInt(request), -1);
        }
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Waits until the requests received so far satisfy {@code condition}; fails after {@code timeout}. */
    public synchronized List<Request> await(String what, Duration timeout, Predicate<List<Request>> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(requests)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("webhook receiver: " + what + " not within " + timeout + "; got " + requests.size() + " request(s)");
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
