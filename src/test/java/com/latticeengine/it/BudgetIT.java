package com.latticeengine.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.latticeengine.support.FakeOpenAi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static com.latticeengine.support.FakeOpenAi.call;
import static com.latticeengine.support.FakeOpenAi.completion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A budget shared by two replicas x 8 slots: 40 llm tasks against a fake that records every call,
 * with a cost cap worth exactly 5 calls (input tokens unpriced, each answer uses its whole
 * max_tokens, so a call's actual cost equals its worst case). Exactly 5 calls are made, the run
 * pauses with reason budget, and a PATCH covering the rest resumes it to SUCCEEDED; the spend in
 * the run view never exceeds the budget in force.
 */
class BudgetIT {

    private static final int TASKS = 40;
    private static final int MAX_TOKENS = 50;
    /** USD per million output tokens: a call costs 50 x 2 / 1e6 = $0.0001. */
    private static final String OUTPUT_PRICE = "2.0";
    private static final BigDecimal CALL_COST = new BigDecimal("0.0001");

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
    void aBudgetWorthFiveCallsAllowsExactlyFiveThenPausesAndARaiseFinishesTheRun() throws Exception {
        String model = "m-budget-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> fakeConfig = fake.start();
        FakeOpenAi.server.stubFor(call(model).willReturn(completion(model, "fine", 10, MAX_TOKENS).withFixedDelay(300)));
        Map<String, String> props = FakeOpenAi.clientConfig(fakeConfig);
        props.putAll(Map.of(
                "lattice.llm.max-concurrent", "16",
                "lattice.worker.concurrency", "8",
                "lattice.worker.poll-interval", "200ms",
                "lattice.llm.prices.\"" + model + "\".input-per-million", "0",
                "lattice.llm.prices.\"" + model + "\".output-per-million", OUTPUT_PRICE));

        Db.truncateIfSchemaExists();
        ReplicaProcess a = replicas.start("budget-a", props);
        ReplicaProcess b = replicas.start("budget-b", props);
        replicas.awaitReady(a, b);
        Db.truncate();

        Lattices.Submission lattice = Lattices.llmFlat(TASKS, "budget integration test [" + UUID.randomUUID() + "]", model);
        ObjectNode json = lattice.json();
        ((ObjectNode) json.get("llm")).put("max_tokens", MAX_TOKENS);
        BigDecimal firstCap = CALL_COST.multiply(BigDecimal.valueOf(5));
        json.putObject("budget").put("max_cost_usd", firstCap).put("max_tokens", 1_000_000);

        UUID runId = Api.submit(a, json);
        JsonNode paused = Await.until("run " + runId + " paused by its budget", Duration.ofSeconds(60), 200, () -> {
            JsonNode view = Api.run(b, runId);
            return "PAUSED".equals(view.path("state").asText()) && view.path("counts").path("running").asInt() == 0
                    ? Optional.of(view) : Optional.empty();
        });
        assertEquals("budget", paused.path("paused_reason").asText());
        ReplicaProcess.sleep(1_500);
        assertEquals(5, FakeOpenAi.requests(model).size(), "calls the fake received under a budget worth 5");
        assertEquals(5, Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state = 'SUCCEEDED'", runId));
        assertWithin(Api.run(b, runId), firstCap);

        BigDecimal secondCap = CALL_COST.multiply(BigDecimal.valueOf(TASKS));
        HttpResponse<String> patched = a.send("PATCH", "/api/runs/" + runId,
                "{\"budget\": {\"max_cost_usd\": " + secondCap.toPlainString() + "}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals("SUCCEEDED", RunChecks.awaitRunEnded(runId, Duration.ofSeconds(90)));

        assertEquals(TASKS, FakeOpenAi.requests(model).size(), "one call per task in all");
        JsonNode done = Api.run(b, runId);
        assertWithin(done, secondCap);
        assertEquals(0, done.path("budget").path("spent").path("cost_usd").decimalValue().compareTo(secondCap),
                "spent: " + done.path("budget"));
        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertExactlyOneSucceededAttempt(runId);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED", "OVER_BUDGET"));
        RunChecks.assertCountersConsistent(runId);
    }

    private static void assertWithin(JsonNode view, BigDecimal cap) {
        JsonNode budget = view.path("budget");
        assertTrue(budget.path("spent").path("cost_usd").decimalValue().compareTo(cap) <= 0, "spent over " + cap + ": " + budget);
        assertTrue(budget.path("spent").path("cost_usd").decimalValue()
                .add(budget.path("reserved").path("cost_usd").decimalValue()).compareTo(cap) <= 0, "spent + reserved: " + budget);
    }
}
