package com.latticeengine.engine;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class CancelAndRerunTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "BLOCKED", "CANCELLED");

    @Test
    void rerunOfAFailedRunExecutesOnlyFailedAndBlockedTasks() {
        // The first attempt of Flaky fails and the budget is one attempt, so the run fails; the
        // rerun gives it a fresh budget and its second attempt succeeds (the injection is over).
        String run = Api.submit(Lattice.create()
                .project("Root", 1)
                .project("Flaky", 2, "Root", Map.of("fail_attempts", 1))
                .project("Downstream", 3, "Flaky")
                .project("Independent", 2, "Root")
                .option("max_attempts", 1));
        JsonPath failed = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", failed.getString("state"));
        assertEquals("BLOCKED", Api.taskState(failed, "Downstream"));

        given().post("/api/runs/" + run + "/rerun").then().statusCode(200).body("state", equalTo("RUNNING"));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);

        assertEquals("SUCCEEDED", done.getString("state"));
        assertEquals(Map.of("Root", 1, "Flaky", 2, "Downstream", 1, "Independent", 1), attemptCounts(done),
                "succeeded tasks are kept, failed and blocked ones run once more");
        assertEquals(List.of("FAILED", "SUCCEEDED"), Api.task(run, "Flaky").getList("attempts.outcome"));
    }

    @Test
    void rerunFromATaskReexecutesItAndItsDownstreamOnly() {
        String run = Api.submit(Lattice.create()
                .project("L1a", 1)
                .project("L1b", 1)
                .project("L2a", 2, "L1a")
                .project("L2b", 2, "L1b")
                .project("L3", 3, "L2a")
                .flow("L2b", "L3", "data"));
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));
        String firstOutput = Api.task(run, "L1a").getString("output.summary");

        given().post("/api/runs/" + run + "/tasks/L1a/rerun").then().statusCode(200);
        JsonPath done = Api.awaitRunEnd(run, LIMIT);

        assertEquals("SUCCEEDED", done.getString("state"));
        assertEquals(Map.of("L1a", 2, "L1b", 1, "L2a", 2, "L2b", 1, "L3", 2), attemptCounts(done));
        assertEquals(firstOutput, Api.task(run, "L1a").getString("output.summary"));
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), Api.task(run, "L3").getList("attempts.outcome"));
    }

    @Test
    void cancelEndsEveryTaskAndNothingRunsAfterwards() {
        String run = Api.submit(Lattice.create()
                .project("Long1", 1, null, Map.of("latency_ms", 20_000))
                .project("Long2", 1, null, Map.of("latency_ms", 20_000))
                .project("Next", 2, "Long1"));
        Api.awaitRun(run, LIMIT, view -> view.getInt("counts.running") == 2);

        given().post("/api/runs/" + run + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        OffsetDateTime cancelledAt = OffsetDateTime.now();
        JsonPath view = Api.run(run);
        assertEquals("CANCELLED", view.getString("state"));
        assertTrue(view.getList("tasks.state", String.class).stream().allMatch(FINAL::contains),
                "every task is final at once: " + view.getList("tasks.state"));
        assertEquals(3, view.getInt("counts.cancelled"));

        given().post("/api/runs/" + run + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        Api.sleep(1500);
        JsonPath later = Api.run(run);
        assertEquals(3, later.getInt("counts.cancelled"), "a late completion changes nothing");
        JsonPath long1 = Api.task(run, "Long1");
        assertEquals(List.of("CANCELLED"), long1.getList("attempts.outcome"));
        assertEquals(0, Api.task(run, "Next").getList("attempts").size());
        assertFalse(OffsetDateTime.parse(long1.getString("attempts[0].finished_at")).isAfter(cancelledAt));
    }

    @Test
    void rerunAndCancelAnswer409WhenTheRunStateForbidsThem() {
        String run = Api.submit(Lattice.create().project("Slow", 1, null, Map.of("latency_ms", 1500)));
        given().post("/api/runs/" + run + "/rerun")
                .then().statusCode(409).contentType(startsWith("application/problem+json"));
        given().post("/api/runs/" + run + "/tasks/Slow/rerun").then().statusCode(409);
        Api.awaitRunEnd(run, LIMIT);
        given().post("/api/runs/" + run + "/cancel").then().statusCode(409);
        given().post("/api/runs/" + run + "/rerun").then().statusCode(409);
        given().post("/api/runs/" + run + "/tasks/Nope/rerun").then().statusCode(404);
    }

    private static Map<String, Integer> attemptCounts(JsonPath run) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        List<Map<String, Object>> tasks = run.getList("tasks");
        tasks.forEach(t -> counts.put((String) t.get("name"), (Integer) t.get("attempts")));
        return counts;
    }
}
