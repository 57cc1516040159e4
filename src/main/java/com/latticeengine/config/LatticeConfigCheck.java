package com.latticeengine.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rejects a configuration the engine cannot run with, at startup and before any part of the
 * engine starts, naming each property and what it must be: a zero concurrency used to fail
 * deep inside a thread pool, and a heartbeat longer than the lease let every lease lapse
 * between two renewals.
 */
@ApplicationScoped
public class LatticeConfigCheck {

    /** 128 bits of a random hex or base64 key; shorter ones are guessable offline from one signed body. */
    public static final int MIN_SECRET_LENGTH = 16;

    private final LatticeConfig config;

    public LatticeConfigCheck(LatticeConfig config) {
        this.config = config;
    }

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
    }

    /** Every rule the configuration breaks, one message each; empty when it is valid. */
    public static List<String> problems(LatticeConfig c) {
        List<String> problems = new ArrayList<>();
        LatticeConfig.Worker w = c.worker();
        atLeast(problems, "lattice.worker.concurrency", w.concurrency(), 1);
        positive(problems, "lattice.worker.poll-interval", w.pollInterval());
        positive(problems, "lattice.worker.lease", w.lease());
        positive(problems, "lattice.worker.heartbeat", w.heartbeat());
        positive(problems, "lattice.worker.reaper-interval", w.reaperInterval());
        notNegative(problems, "lattice.worker.shutdown-grace", w.shutdownGrace());
        if (w.heartbeat().compareTo(w.lease()) >= 0 && !w.lease().isNegative() && !w.lease().isZero()) {
            problems.add("lattice.worker.heartbeat (" + w.heartbeat() + ") must be shorter than lattice.worker.lease ("
                    + w.lease() + "), or every lease lapses between two renewals");
        }
        atLeast(problems, "lattice.retry.max-attempts", c.retry().maxAttempts(), 1);
        positive(problems, "lattice.retry.initial-backoff", c.retry().initialBackoff());
        if (c.retry().maxBackoff().compareTo(c.retry().initialBackoff()) < 0) {
            problems.add("lattice.retry.max-backoff (" + c.retry().maxBackoff()
                    + ") must not be shorter than lattice.retry.initial-backoff (" + c.retry().initialBackoff() + ")");
        }
        positive(problems, "lattice.task.timeout", c.task().timeout());
        notNegative(problems, "lattice.simulated.latency", c.simulated().latency());
        atLeast(problems, "lattice.llm.max-concurrent", c.llm().maxConcurrent(), 1);
        for (Map.Entry<String, LatticeConfig.Llm.Price> price : c.llm().prices().entrySet()) {
            String key = "lattice.llm.prices.\"" + price.getKey() + "\"";
            notNegative(problems, key + ".input-per-million", price.getValue().inputPerMillion());
            notNegative(problems, key + ".output-per-million", price.getValue().outputPerMillion());
        }
        atLeast(problems, "lattice.budget.reserve-tokens", c.budget().reserveTokens(), 1);
        c.budget().defaultMaxCostUsd().filter(cap -> cap.signum() <= 0).ifPresent(cap -> problems.add(
                "lattice.budget.default-max-cost-usd must be a positive number of USD (is " + cap.toPlainString() + ")"));
        positive(problems, "lattice.metrics.queue-refresh", c.metrics().queueRefresh());
        positive(problems, "lattice.health.liveness-timeout", c.health().livenessTimeout());
        webhooks(problems, c.webhooks());
        return problems;
    }

    /** The secret itself never appears in a message, only its length. */
    private static void webhooks(List<String> problems, LatticeConfig.Webhooks h) {
        h.secret().ifPresent(secret -> {
            if (secret.length() < MIN_SECRET_LENGTH) {
                problems.add("lattice.webhooks.secret must be at least " + MIN_SECRET_LENGTH + " characters (is "
                        + secret.length() + ")");
            }
        });
        positive(problems, "lattice.webhooks.max-age", h.maxAge());
        positive(problems, "lattice.webhooks.connect-timeout", h.connectTimeout());
        positive(problems, "lattice.webhooks.request-timeout", h.requestTimeout());
        positive(problems, "lattice.webhooks.initial-backoff", h.initialBackoff());
        positive(problems, "lattice.webhooks.poll-interval", h.pollInterval());
        atLeast(problems, "lattice.webhooks.concurrency", h.concurrency(), 1);
        if (h.maxBackoff().compareTo(h.initialBackoff()) < 0) {
            problems.add("lattice.webhooks.max-backoff (" + h.maxBackoff()
                    + ") must not be shorter than lattice.webhooks.initial-backoff (" + h.initialBackoff() + ")");
        }
        if (h.lease().compareTo(h.connectTimeout().plus(h.requestTimeout())) <= 0) {
            problems.add("lattice.webhooks.lease (" + h.lease() + ") must be longer than lattice.webhooks.connect-timeout"
                    + " plus lattice.webhooks.request-timeout (" + h.connectTimeout().plus(h.requestTimeout())
                    + "), or another replica sends a delivery that is still being sent");
        }
    }

    private static void atLeast(List<String> problems, String key, int value, int min) {
        if (value < min) {
            problems.add(key + " must be at least " + min + " (is " + value + ")");
        }
    }

    private static void positive(List<String> problems, String key, Optional<Duration> value) {
        value.ifPresent(v -> positive(problems, key, v));
    }

    private static void positive(List<String> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(key + " must be a positive duration (is " + value + ")");
        }
    }

    private static void notNegative(List<String> problems, String key, Duration value) {
        if (value.isNegative()) {
            problems.add(key + " must not be negative (is " + value + ")");
        }
    }

    private static void notNegative(List<String> problems, String key, double value) {
        if (!(value >= 0)) {
            problems.add(key + " must not be negative (is " + value + ")");
        }
    }
}
