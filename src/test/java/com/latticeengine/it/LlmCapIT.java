package com.latticeengine.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.latticeengine.support.FakeOpenAi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.latticeengine.support.FakeOpenAi.call;
import static com.latticeengine.support.FakeOpenAi.completion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lattice.llm.max-concurrent} is a cluster-wide cap: two replicas with 8 worker slots each
 * (16 slots, far above the cap) run a 40-task llm lattice against one fake OpenAI server, which
 * counts the requests it is serving at once. It must never see more than 3, and it must see at
 * least 2, or the test would not show that calls ran concurrently at all.
 */
class LlmCapIT {

    private static final int TASKS = 40;
    private static final int CAP = 3;
    private static final int SLOTS_PER_REPLICA = 8;
    private static final int FAKE_DELAY_MS = 300;

    private final Replicas replicas = new Replicas();
    private final FakeOpenAi fake = new FakeOpenAi();

    @AfterEach
    void stopEverything() {
        try {
            replicas.close();
        } finally {
            fake.stop();
        }
    }

    @Test
    void twoReplicasNeverHaveMoreThanMaxConcurrentCallsInFlight() {
        // The model name keys the fake's stub and its in-flight counter.
        String model = "m-cap-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> fakeConfig = fake.start();
        FakeOpenAi.server.stubFor(call(model).willReturn(completion(model, "fine", 10, 5).withFixedDelay(FAKE_DELAY_MS)));

        Map<String, String> props = FakeOpenAi.clientConfig(fakeConfig);
        props.putAll(Map.of(
                "lattice.llm.max-concurrent", Integer.toString(CAP),
                "lattice.worker.concurrency", Integer.toString(SLOTS_PER_REPLICA),
                // Both replicas look for work often, so both get a share of the capped calls.
                "lattice.worker.poll-interval", "200ms"));

        Db.truncateIfSchemaExists();
        ReplicaProcess a = replicas.start("cap-a", props);
        ReplicaProcess b = replicas.start("cap-b", props);
        replicas.awaitReady(a, b);
        Db.truncate();

        Lattices.Submission lattice = Lattices.llmFlat(TASKS, "LLM cap integration test [" + UUID.randomUUID() + "]", model);
        ObjectNode json = lattice.json();

        long start = System.nanoTime();
        UUID runId = Api.submit(a, json);
        String state = RunChecks.awaitRunEnded(runId, Duration.ofSeconds(60));
        int maxInFlight = FakeOpenAi.maxInFlight(model);
        Map<String, Long> byWorker = RunChecks.attemptsByWorker(runId);
        System.out.printf("[it] run %s ended %s after %d ms; fake saw %d request(s), at most %d in flight;"
                        + " attempts per worker %s%n", runId, state, (System.nanoTime() - start) / 1_000_000,
                FakeOpenAi.requests(model).size(), maxInFlight, byWorker);

        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertExactlyOneSucceededAttempt(runId);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED"));
        RunChecks.assertCountersConsistent(runId);
        assertEquals(TASKS, Db.count("SELECT count(*) FROM task_attempt a JOIN task t ON t.id = a.task_id"
                + " WHERE t.run_id = ?", runId), "attempt rows: exactly one per task");
        assertEquals(TASKS, FakeOpenAi.requests(model).size(), "requests the fake received: one per attempt");
        JsonNode view = Api.run(b, runId);
        assertEquals(TASKS, view.path("usage").path("calls").asInt(), "usage.calls of the run: " + view.path("usage"));

        assertTrue(maxInFlight <= CAP, "the fake saw " + maxInFlight + " calls in flight at once with "
                + "lattice.llm.max-concurrent=" + CAP + " on 2 replicas x " + SLOTS_PER_REPLICA + " slots");
        assertTrue(maxInFlight >= 2, "the fake never saw two calls in flight at once (max " + maxInFlight
                + "): the run did not exercise concurrency");

        assertEquals(Set.of(a.workerId(), b.workerId()), byWorker.keySet(), "workers that made calls: " + byWorker);

        for (ReplicaProcess replica : replicas.all()) {
            assertFalse(replica.logText().contains(FakeOpenAi.API_KEY), "API key in the log of " + replica.name());
        }
    }
}
