package com.latticeengine.processing.llm;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.latticeengine.support.Api;
import com.latticeengine.support.FakeOpenAi;
import com.latticeengine.support.Lattice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static com.latticeengine.support.FakeOpenAi.call;
import static com.latticeengine.support.FakeOpenAi.completion;
import static com.latticeengine.support.FakeOpenAi.error;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The llm processor end to end: HTTP API, this process's workers, the real Postgres test
 * database and the real langchain4j/Quarkus REST client against a fake OpenAI server. Each test
 * uses its own model name, so stubs, request counts and rate-limit holds never mix.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeOpenAi.class, restrictToAnnotatedClass = true)
class LlmProcessorTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final List<String> LOG_LINES = Collections.synchronizedList(new ArrayList<>());
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    line.append(' ').append(p);
                }
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                line.append(' ').append(t);
            }
            LOG_LINES.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void captureLogs() {
        Logger.getLogger("").addHandler(CAPTURE);
    }

    @AfterAll
    static void noLogLineCarriesTheKey() {
        Logger.getLogger("").removeHandler(CAPTURE);
        assertNoKeyInLogs();
    }

    private static void assertNoKeyInLogs() {
        synchronized (LOG_LINES) {
            assertFalse(LOG_LINES.isEmpty(), "the capture handler saw no log line at all");
            LOG_LINES.forEach(line -> assertFalse(line.contains(FakeOpenAi.API_KEY), "API key in a log line: " + line));
        }
    }

    /** A lattice for the llm processor with the given model; unique requirements keep earlier runs' cache out. */
    private static Lattice llm(String model, Map<String, Object> extraLlm) {
        Map<String, Object> options = new java.util.LinkedHashMap<>(extraLlm);
        options.put("model", model);
        return Lattice.create()
                .requirements("The drone shall fly for 10 hours. [test " + UUID.randomUUID() + "]")
                .option("processor", "llm")
                .option("llm", options);
    }

    private static List<String> outcomes(JsonPath task) {
        return task.getList("attempts.outcome");
    }

    @Test
    void theFanInRequestCarriesRequirementsProjectAndEveryInputWithSourceAndDataType() {
        String model = "m-fanin";
        FakeOpenAi.server.stubFor(call(model).atPriority(5).willReturn(completion(model, "generic answer", 10, 5)));
        FakeOpenAi.server.stubFor(call(model).atPriority(1).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("Name: X\\n"))
                .willReturn(completion(model, "X-OUTPUT-alpha", 10, 5)));
        FakeOpenAi.server.stubFor(call(model).atPriority(1).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("Name: Y\\n"))
                .willReturn(completion(model, "Y-OUTPUT-beta", 10, 5)));
        FakeOpenAi.server.stubFor(call(model).atPriority(1).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("Name: W\\n"))
                .willReturn(error(400, "This model's maximum context length is 8192 tokens")));

        Lattice lattice = llm(model, Map.of())
                .project("X", 1).project("Y", 1).project("W", 1)
                .project("Z", 2, "X")
                .field("Z", "domain", "avionics")
                .field("Z", "simulate", Map.of("latency_ms", 1))
                .flow("X", "Z", "spec")
                .flow("Y", "Z", "budget")
                .flow("W", "Z", "risk", false);
        String requirements = (String) lattice.body().get("requirements");
        String run = Api.submit(lattice);
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", Api.taskState(done, "Z"), done.prettify());
        assertEquals("FAILED", Api.taskState(done, "W"));

        JsonPath w = Api.task(run, "W");
        assertEquals(List.of("FAILED"), outcomes(w), "a 400 is permanent: one attempt");
        assertTrue(w.getString("error").contains("HTTP 400") && w.getString("error").contains("context length"),
                w.getString("error"));

        List<LoggedRequest> zRequests = FakeOpenAi.requests(model).stream()
                .filter(r -> r.getBodyAsString().contains("Name: Z\\n")).toList();
        assertEquals(1, zRequests.size());
        LoggedRequest z = zRequests.get(0);
        assertEquals("Bearer " + FakeOpenAi.API_KEY, z.getHeader("Authorization"));
        String prompt = userAndSystemText(z.getBodyAsString());
        assertTrue(prompt.contains(requirements), prompt);
        assertTrue(prompt.contains("Name: Z\nLayer: 2\nParent: X\nDescription: Project Z\ndomain: avionics"), prompt);
        assertFalse(prompt.contains("simulate"), "the simulate field is not part of the project: " + prompt);
        assertTrue(prompt.contains("=== INPUT 1 of 4: from \"X\" (parent) ===\nX-OUTPUT-alpha\n=== END INPUT 1 ==="), prompt);
        assertTrue(prompt.contains(": from \"X\" (data_flow, data_type: spec) ===\nX-OUTPUT-alpha\n"), prompt);
        assertTrue(prompt.contains(": from \"Y\" (data_flow, data_type: budget) ===\nY-OUTPUT-beta\n"), prompt);
        assertTrue(prompt.contains(": from \"W\" (data_flow, data_type: risk) [MISSING] ===\n"
                + "This optional input is missing: upstream W ended FAILED: "), prompt);
        assertEquals("generic answer", Api.task(run, "Z").getString("output.text"));
    }

    private static String userAndSystemText(String body) {
        JsonPath json = JsonPath.from(body);
        return json.getString("messages[0].content") + "\n" + json.getString("messages[1].content");
    }

    @Test
    void usageIsStoredPerAttemptAndSummedPerRun() {
        String model = "m-usage";
        FakeOpenAi.server.stubFor(call(model).willReturn(completion(model, "fine", 120, 30)));
        String run = Api.submit(llm(model, Map.of()).project("A", 1).project("B", 2, "A").project("C", 1));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"));

        JsonPath a = Api.task(run, "A");
        assertEquals(1, a.getList("attempts").size());
        assertEquals(model, a.getString("attempts[0].model"));
        assertEquals(120, a.getLong("attempts[0].input_tokens"));
        assertEquals(30, a.getLong("attempts[0].output_tokens"));
        assertTrue(a.getLong("attempts[0].latency_ms") >= 0);
        assertEquals(0.00018, a.getDouble("attempts[0].cost_usd"), 1e-9);
        assertFalse(a.getBoolean("attempts[0].cached"));

        assertEquals(3, done.getLong("usage.calls"));
        assertEquals(360, done.getLong("usage.input_tokens"));
        assertEquals(90, done.getLong("usage.output_tokens"));
        assertEquals(0.00054, done.getDouble("usage.cost_usd"), 1e-9);
        assertEquals(3, FakeOpenAi.requests(model).size());
    }

    @Test
    void aCostCapOnAModelWithoutAPriceIsRefusedAtSubmissionAndByAPatch() {
        String model = "m-unpriced";
        given().contentType("application/json")
                .body(llm(model, Map.of()).option("budget", Map.of("max_cost_usd", 1)).project("A", 1).body())
                .post("/api/runs").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("budget.max_cost_usd"))
                .body("errors[0].reason", org.hamcrest.Matchers.containsString(model));

        // A token cap too small for any call: the run pauses on its budget before calling.
        String run = Api.submit(llm(model, Map.of()).option("budget", Map.of("max_tokens", 1)).project("A", 1));
        JsonPath paused = Api.awaitRun(run, LIMIT, r -> "PAUSED".equals(r.getString("state")));
        assertEquals("budget", paused.getString("paused_reason"));
        given().contentType("application/json").body("{\"budget\":{\"max_cost_usd\":5}}").patch("/api/runs/" + run)
                .then().statusCode(400).contentType("application/problem+json")
                .body("title", org.hamcrest.Matchers.equalTo("Invalid request"))
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("budget.max_cost_usd"))
                .body("errors[0].reason", org.hamcrest.Matchers.containsString(model));
        JsonPath after = Api.run(run);
        assertEquals(1, after.getLong("budget.max_tokens"), "the refused PATCH changed nothing");
        assertEquals(null, after.getString("budget.max_cost_usd"));
        assertEquals("PAUSED", after.getString("state"));
        given().contentType("application/json").body("{\"budget\":{\"max_cost_usd\":null,\"max_tokens\":2}}")
                .patch("/api/runs/" + run).then().statusCode(200);
        assertEquals(0, FakeOpenAi.requests(model).size());
        given().post("/api/runs/" + run + "/cancel").then().statusCode(200);
        given().contentType("application/json").body("{\"budget\":{\"max_cost_usd\":5}}").patch("/api/runs/" + run)
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void everyModelCallShowsOnTheMetricsWithItsTokensAndCostByModelAndOutcome() {
        String model = "m-metrics";
        FakeOpenAi.server.stubFor(call(model).atPriority(5).willReturn(completion(model, "fine", 100, 20)));
        FakeOpenAi.server.stubFor(call(model).atPriority(1).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("Name: Bad\\n"))
                .willReturn(error(400, "This model's maximum context length is 8192 tokens")));
        String run = Api.submit(llm(model, Map.of()).project("A", 1).project("Bad", 1));
        assertEquals("FAILED", Api.awaitRunEnd(run, LIMIT).getString("state"));

        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertEquals(1, sample(metrics, "lattice_llm_calls_total", "model=\"m-metrics\"", "outcome=\"ok\""), metrics);
        assertEquals(1, sample(metrics, "lattice_llm_calls_total", "model=\"m-metrics\"", "outcome=\"error\""));
        assertEquals(100, sample(metrics, "lattice_llm_tokens_total", "model=\"m-metrics\"", "outcome=\"ok\"",
                "direction=\"input\""));
        assertEquals(20, sample(metrics, "lattice_llm_tokens_total", "model=\"m-metrics\"", "outcome=\"ok\"",
                "direction=\"output\""));
        assertEquals(0, sample(metrics, "lattice_llm_tokens_total", "model=\"m-metrics\"", "outcome=\"error\"",
                "direction=\"input\""));
        assertEquals(0.00014, sample(metrics, "lattice_llm_cost_usd_total", "model=\"m-metrics\"", "outcome=\"ok\""),
                1e-12);
    }

    /** The value of the one sample of {@code name} carrying every given label, in any order. */
    private static double sample(String metrics, String name, String... labels) {
        List<String> lines = metrics.lines()
                .filter(l -> l.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(l::contains)).toList();
        assertEquals(1, lines.size(), "samples of " + name + " with " + List.of(labels) + ": " + lines);
        String line = lines.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void a429ForAnExhaustedQuotaFailsTheTaskAtOnce() {
        String model = "m-quota";
        FakeOpenAi.server.stubFor(call(model).willReturn(error(429, "You exceeded your current quota")
                .withHeader("Retry-After", "1")
                .withBody("{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
                        + "\"code\":\"insufficient_quota\"}}")));
        String run = Api.submit(llm(model, Map.of()).option("max_attempts", 3).project("A", 1));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", done.getString("state"), done.prettify());
        JsonPath task = Api.task(run, "A");
        assertEquals(List.of("FAILED"), outcomes(task), "neither held and retried nor retried as an error");
        assertTrue(task.getString("error").contains("quota is used up"), task.getString("error"));
        assertEquals(1, FakeOpenAi.requests(model).size());
    }

    @Test
    void a429HoldsEveryCallOfItsKeyForRetryAfterWithoutSpendingAnAttempt() {
        String model = "m-429";
        FakeOpenAi.server.stubFor(call(model).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("ok")
                .willReturn(error(429, "Rate limit reached").withHeader("Retry-After", "2").withFixedDelay(300)));
        FakeOpenAi.server.stubFor(call(model).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(completion(model, "fine", 10, 5).withFixedDelay(600)));

        // Three roots (the cap) start together; the children become ready while the hold is on.
        String run = Api.submit(llm(model, Map.of()).option("max_attempts", 1)
                .project("A", 1).project("B", 1).project("C", 1)
                .project("D", 2, "A").project("E", 2, "B").project("F", 2, "C"));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"), done.prettify());

        List<ServeEvent> events = FakeOpenAi.events(model);
        ServeEvent limited = events.stream().filter(e -> e.getResponse().getStatus() == 429).findFirst().orElseThrow();
        long answeredAt = limited.getRequest().getLoggedDate().getTime() + 300;
        List<Long> later = events.stream().map(e -> e.getRequest().getLoggedDate().getTime())
                .filter(t -> t > answeredAt).toList();
        assertTrue(later.size() >= 4, "the limited task and the three children still ran: " + later);
        for (long t : later) {
            assertTrue(t >= answeredAt + 2000 - 50, "a request reached the fake " + (t - answeredAt)
                    + " ms after the 429, inside Retry-After");
        }
        long rateLimitedTasks = 0;
        for (String name : List.of("A", "B", "C")) {
            JsonPath task = Api.task(run, name);
            List<String> outcomes = outcomes(task);
            if (outcomes.contains("RATE_LIMITED")) {
                rateLimitedTasks++;
                assertEquals(List.of("RATE_LIMITED", "SUCCEEDED"), outcomes);
                // The provider's Retry-After (2 s) was used, not the 5 s default.
                assertTrue(task.getString("attempts[0].error").contains("retry after 2000 ms"),
                        task.getString("attempts[0].error"));
            }
        }
        // WireMock reads and sets a scenario's state apart, so two of the three simultaneous
        // first calls can both see STARTED and both get the 429: at least one, never none.
        assertTrue(rateLimitedTasks >= 1, "a root must have been rate limited");
    }

    @Test
    void serverErrorsAndTimeoutsAreRetriedByTheEngine() {
        String model = "m-flaky";
        FakeOpenAi.server.stubFor(call(model).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("slow").willReturn(error(500, "internal error")));
        FakeOpenAi.server.stubFor(call(model).inScenario("flaky").whenScenarioStateIs("slow")
                .willSetStateTo("ok").willReturn(completion(model, "late", 10, 5).withFixedDelay(3000)));
        FakeOpenAi.server.stubFor(call(model).inScenario("flaky").whenScenarioStateIs("ok")
                .willReturn(completion(model, "fine", 10, 5)));

        String run = Api.submit(llm(model, Map.of("timeout_ms", 1000)).option("max_attempts", 3).project("A", 1));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"), done.prettify());
        JsonPath a = Api.task(run, "A");
        assertEquals(List.of("FAILED", "FAILED", "SUCCEEDED"), outcomes(a));
        assertTrue(a.getString("attempts[0].error").contains("HTTP 500"), a.getString("attempts[0].error"));
        assertTrue(a.getString("attempts[1].error").contains("timed out"), a.getString("attempts[1].error"));
        assertEquals(3, FakeOpenAi.requests(model).size(), "one request per attempt");
    }

    @Test
    void oneAttemptSendsExactlyOneRequestOnA500() {
        String model = "m-500";
        FakeOpenAi.server.stubFor(call(model).willReturn(error(500, "always broken")));
        String run = Api.submit(llm(model, Map.of()).option("max_attempts", 2).project("A", 1));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", done.getString("state"));
        assertEquals(List.of("FAILED", "FAILED"), outcomes(Api.task(run, "A")));
        Api.sleep(300); // nothing else may arrive late
        assertEquals(2, FakeOpenAi.requests(model).size(), "2 attempts, 2 requests: the client never retries");
    }

    @Test
    void a401FailsAtOnceAndTheKeyAppearsInNoResponseOrLog() {
        String model = "m-401";
        FakeOpenAi.server.stubFor(call(model).willReturn(error(401,
                "Incorrect API key provided: " + FakeOpenAi.API_KEY + ". Authorization: Bearer " + FakeOpenAi.API_KEY)));
        String run = Api.submit(llm(model, Map.of()).option("max_attempts", 3).project("A", 1));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", done.getString("state"));
        JsonPath a = Api.task(run, "A");
        assertEquals(List.of("FAILED"), outcomes(a), "401 is permanent: no retry");
        assertTrue(a.getString("error").contains("HTTP 401"), a.getString("error"));
        assertEquals(1, FakeOpenAi.requests(model).size());

        for (String path : List.of("/api/runs/" + run, "/api/runs/" + run + "/tasks/A", "/api/runs")) {
            String body = given().when().get(path).then().extract().asString();
            assertFalse(body.contains(FakeOpenAi.API_KEY), "API key in the response of " + path + ": " + body);
            assertFalse(body.contains("SECRET"), "part of the API key in the response of " + path);
        }
        assertNoKeyInLogs();
    }

    @Test
    void maxConcurrentCapsCallsInFlightOverA40TaskLattice() {
        String model = "m-cap";
        FakeOpenAi.server.stubFor(call(model).willReturn(completion(model, "fine", 10, 5).withFixedDelay(300)));
        Lattice lattice = llm(model, Map.of());
        for (int i = 0; i < 40; i++) {
            lattice.project("P" + i, 1);
        }
        String run = Api.submit(lattice);
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"));
        assertEquals(40, FakeOpenAi.requests(model).size());
        int max = FakeOpenAi.maxInFlight(model);
        assertTrue(max <= 3, "the fake saw " + max + " calls in flight with lattice.llm.max-concurrent=3");
        assertEquals(3, max, "8 worker slots and 40 ready tasks should fill the cap");
    }

    @Test
    void anUnchangedLatticeCostsNoCallsAndAChangedProjectRecomputesOnlyWhatItReaches() {
        String model = "m-cache";
        FakeOpenAi.server.stubFor(call(model).atPriority(5).willReturn(completion(model, "fine", 10, 5)));
        FakeOpenAi.server.stubFor(call(model).atPriority(1)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("Description: Project B v2"))
                .willReturn(completion(model, "B changed", 10, 5)));
        Lattice lattice = llm(model, Map.of())
                .project("A", 1).project("B", 2, "A").project("C", 3, "B").project("D", 1);

        String first = Api.submit(lattice);
        assertEquals("SUCCEEDED", Api.awaitRunEnd(first, LIMIT).getString("state"));
        assertEquals(4, FakeOpenAi.requests(model).size());

        String second = Api.submit(lattice);
        JsonPath again = Api.awaitRunEnd(second, LIMIT);
        assertEquals("SUCCEEDED", again.getString("state"));
        assertEquals(4, FakeOpenAi.requests(model).size(), "the second run made model calls");
        assertEquals(0, again.getLong("usage.calls"));
        assertEquals(4, again.getLong("usage.cached"));
        for (String name : List.of("A", "B", "C", "D")) {
            assertEquals(List.of(true), Api.task(second, name).getList("attempts.cached"), name);
        }

        String third = Api.submit(lattice.field("B", "description", "Project B v2"));
        JsonPath changed = Api.awaitRunEnd(third, LIMIT);
        assertEquals("SUCCEEDED", changed.getString("state"));
        assertEquals(6, FakeOpenAi.requests(model).size(), "only B and its downstream C are called again");
        assertEquals(List.of(true), Api.task(third, "A").getList("attempts.cached"));
        assertEquals(List.of(true), Api.task(third, "D").getList("attempts.cached"));
        assertEquals(List.of(false), Api.task(third, "B").getList("attempts.cached"));
        assertEquals(List.of(false), Api.task(third, "C").getList("attempts.cached"));
    }
}
