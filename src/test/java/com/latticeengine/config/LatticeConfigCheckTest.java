package com.latticeengine.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The startup rules of LatticeConfigCheck, on configurations built the way Quarkus builds them. */
class LatticeConfigCheckTest {

    private static List<String> problems(Map<String, String> properties) {
        // Quarkus's converter reads "5s" and "200ms" as the application does.
        LatticeConfig config = new SmallRyeConfigBuilder().withMapping(LatticeConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build()
                .getConfigMapping(LatticeConfig.class);
        return LatticeConfigCheck.problems(config);
    }

    @Test
    void theDefaultsAndTheTestProfilesSettingsAreValid() {
        assertEquals(List.of(), problems(Map.of()));
        assertEquals(List.of(), problems(Map.of("lattice.worker.lease", "3s", "lattice.worker.heartbeat", "1s",
                "lattice.simulated.latency", "0ms")));
    }

    @Test
    void aConcurrencyBelowOneIsRejectedByName() {
        assertEquals(List.of("lattice.worker.concurrency must be at least 1 (is 0)"),
                problems(Map.of("lattice.worker.concurrency", "0")));
    }

    @Test
    void aHeartbeatNotShorterThanTheLeaseIsRejectedNamingBoth() {
        List<String> problems = problems(Map.of("lattice.worker.lease", "5s", "lattice.worker.heartbeat", "5s"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("lattice.worker.heartbeat (PT5S) must be shorter than lattice.worker.lease (PT5S)"),
                problems.get(0));
    }

    @Test
    void zeroOrNegativeTimeoutsAndIntervalsAreRejectedEachByName() {
        List<String> problems = problems(Map.of("lattice.task.timeout", "0s", "lattice.worker.poll-interval", "-1s",
                "lattice.worker.reaper-interval", "0s", "lattice.health.liveness-timeout", "0s",
                "lattice.metrics.queue-refresh", "0s"));
        for (String key : List.of("lattice.task.timeout", "lattice.worker.poll-interval", "lattice.worker.reaper-interval",
                "lattice.health.liveness-timeout", "lattice.metrics.queue-refresh")) {
            assertTrue(problems.contains(key + " must be a positive duration (is " + (key.contains("poll") ? "PT-1S" : "PT0S")
                    + ")"), key + " in " + problems);
        }
        assertEquals(5, problems.size(), problems.toString());
    }

    @Test
    void attemptsBackoffsLlmCapAndPricesAreChecked() {
        List<String> problems = problems(Map.of("lattice.retry.max-attempts", "0", "lattice.retry.initial-backoff", "10s",
                "lattice.retry.max-backoff", "1s", "lattice.llm.max-concurrent", "0",
                "lattice.llm.prices.\"m\".input-per-million", "-1", "lattice.llm.prices.\"m\".output-per-million", "1"));
        assertEquals(List.of("lattice.retry.max-attempts must be at least 1 (is 0)",
                "lattice.retry.max-backoff (PT1S) must not be shorter than lattice.retry.initial-backoff (PT10S)",
                "lattice.llm.max-concurrent must be at least 1 (is 0)",
                "lattice.llm.prices.\"m\".input-per-million must not be negative (is -1.0)"), problems);
    }

    @Test
    void aShortWebhookSecretIsRejectedWithoutEchoingIt() {
        List<String> problems = problems(Map.of("lattice.webhooks.secret", "hunter2"));
        assertEquals(List.of("lattice.webhooks.secret must be at least 16 characters (is 7)"), problems);
        assertEquals(List.of(), problems(Map.of("lattice.webhooks.secret", "0123456789abcdef")));
    }

    @Test
    void aWebhookLeaseNotLongerThanASendIsRejected() {
        List<String> problems = problems(Map.of("lattice.webhooks.lease", "10s", "lattice.webhooks.connect-timeout", "5s",
                "lattice.webhooks.request-timeout", "5s", "lattice.webhooks.initial-backoff", "1m",
                "lattice.webhooks.max-backoff", "30s"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("lattice.webhooks.max-backoff (PT30S) must not be shorter"), problems.get(0));
        assertTrue(problems.get(1).startsWith("lattice.webhooks.lease (PT10S) must be longer"), problems.get(1));
    }
}
