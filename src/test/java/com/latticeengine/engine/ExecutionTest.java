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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end through HTTP, with this process's own workers, on the real test database. */
@QuarkusTest
class ExecutionTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void fanInWaitsForTheSlowestInputAndStartsOnlyAfterAllSucceeded() {
        String run = Api.submit(Lattice.create()
                .project("Fast", 1, null, Map.of("latency_ms", 50))
                .project("Slow", 1, null, Map.of("latency_ms", 1500))
                .project("Other", 1, null, Map.of("latency_ms", 50))
                .project("FanIn", 2, "Fast", Map.of("latency_ms", 10))
                .flow("Slow", "FanIn", "analysis")
                .flow("Other", "FanIn", "analysis"));

        JsonPath whileSlowRuns = Api.awaitRun(run, LIMIT, view -> "SUCCEEDED".equals(Api.taskState(view, "Fast"))
                && "SUCCEEDED".equals(Api.taskState(view, "Other")) && "RUNNING".equals(Api.taskState(view, "Slow")));
        assertEquals("WAITING", Api.taskState(whileSlowRuns, "FanIn"));
        assertEquals(List.of("Slow"), whileSlowRuns.getList("tasks.find { it.name == 'FanIn' }.missing_inputs"));
        assertEquals(1, whileSlowRuns.getInt("tasks.find { it.name == 'FanIn' }.remaining_inputs"));
        assertEquals(2, whileSlowRuns.getInt("tasks.find { it.name == 'Slow' }.priority"), "Slow -> FanIn");
        assertEquals(1, whileSlowRuns.getInt("tasks.find { it.name == 'FanIn' }.priority"));

        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"));
        OffsetDateTime fanInStarted = time(done, "FanIn", "started_at");
        for (String upstream : List.of("Fast", "Slow", "Other")) {
            assertFalse(fanInStarted.isBefore(time(done, upstream, "finished_at")),
                    "FanIn started before " + upstream + " finished");
        }
    }

    @Test
    void eachTaskReceivesExactlyItsUpstreamOutputsWithRelationAndDataType() {
        String run = Api.submit(Lattice.create()
                .project("X", 1)
                .project("Y", 1)
                .project("Z", 2, "X")
                .flow("X", "Z", "spec")
                .flow("Y", "Z", "spec")
                .flow("X", "Z", "budget"));
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));

        JsonPath z = Api.task(run, "Z");
        List<Map<String, Object>> seen = z.getList("output.inputs");
        assertEquals(4, seen.size(), "one input per link; two flows sharing a data_type are both kept");
        assertInput(seen.get(0), "X", "parent", null);
        assertInput(seen.get(1), "X", "data_flow", "spec");
        assertInput(seen.get(2), "Y", "data_flow", "spec");
        assertInput(seen.get(3), "X", "data_flow", "budget");
        assertEquals(List.of("X", "Y"), z.getList("upstream"));
        assertEquals("X", z.getString("inputs[0].output.project"), "the task view carries the upstream output");
        assertEquals(List.of(), Api.task(run, "X").getList("output.inputs"));
    }

    @Test
    void aFailureBlocksEverythingDownstreamWhileIndependentBranchesFinish() {
        String run = Api.submit(Lattice.create()
                .project("A", 1)
                .project("B", 2, "A", Map.of("fail_permanently", true))
                .project("C", 3, "B")
                .project("D", 4)
                .flow("C", "D", "x")
                .project("E", 2, "A")
                .project("F", 1));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", done.getString("state"));
        assertEquals("FAILED", Api.taskState(done, "B"));
        assertEquals("BLOCKED", Api.taskState(done, "C"));
        assertEquals("BLOCKED", Api.taskState(done, "D"));
        for (String ok : List.of("A", "E", "F")) {
            assertEquals("SUCCEEDED", Api.taskState(done, ok), ok);
        }
        assertEquals(1, done.getInt("counts.failed"));
        assertEquals(2, done.getInt("counts.blocked"));
        assertTrue(Api.task(run, "D").getString("error").contains("C"), "a blocked task names its upstream");
        assertEquals(0, Api.task(run, "D").getList("attempts").size(), "blocked tasks never run");
    }

    @Test
    void retryableFailuresAreRetriedWithBackoffUntilSuccess() {
        String run = Api.submit(Lattice.create()
                .project("Flaky", 1, null, Map.of("fail_attempts", 2))
                .option("max_attempts", 3));
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));
        JsonPath flaky = Api.task(run, "Flaky");
        assertEquals(List.of("FAILED", "FAILED", "SUCCEEDED"), flaky.getList("attempts.outcome"));
        // test profile: initial backoff 200 ms with equal jitter -> at least 100 ms, then at least 200 ms
        assertTrue(gapMillis(flaky, 0) >= 100, "first backoff " + gapMillis(flaky, 0));
        assertTrue(gapMillis(flaky, 1) >= 200, "second backoff " + gapMillis(flaky, 1));
    }

    @Test
    void permanentErrorsFailAtOnceAndTimeoutsAreRetried() {
        String run = Api.submit(Lattice.create()
                .project("Broken", 1, null, Map.of("fail_permanently", true))
                .project("Hangs", 1, null, Map.of("hang_attempts", 1))
                .option("max_attempts", 3)
                .option("task_timeout_ms", 500));
        Api.awaitRunEnd(run, LIMIT);
        JsonPath broken = Api.task(run, "Broken");
        assertEquals("FAILED", broken.getString("state"));
        assertEquals(List.of("FAILED"), broken.getList("attempts.outcome"));
        JsonPath hangs = Api.task(run, "Hangs");
        assertEquals("SUCCEEDED", hangs.getString("state"));
        assertEquals(List.of("TIMED_OUT", "SUCCEEDED"), hangs.getList("attempts.outcome"));
    }

    @Test
    void exhaustedRetriesFailTheTaskOnlyAfterTheLastAttempt() {
        String run = Api.submit(Lattice.create()
                .project("Always", 1, null, Map.of("fail", true))
                .project("After", 2, "Always")
                .option("max_attempts", 2));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", Api.taskState(done, "Always"));
        assertEquals("BLOCKED", Api.taskState(done, "After"));
        assertEquals(List.of("FAILED", "FAILED"), Api.task(run, "Always").getList("attempts.outcome"));
    }

    @Test
    void anOptionalInputThatFailedIsPassedAsMissingWhileARequiredOneBlocks() {
        String run = Api.submit(Lattice.create()
                .project("Source", 1)
                .project("Bad", 1, null, Map.of("fail_permanently", true))
                .project("Tolerant", 2, "Source")
                .flow("Bad", "Tolerant", "optional-data", false)
                .project("Strict", 2, "Source")
                .flow("Bad", "Strict", "required-data"));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", Api.taskState(done, "Tolerant"));
        assertEquals("BLOCKED", Api.taskState(done, "Strict"));
        List<Map<String, Object>> seen = Api.task(run, "Tolerant").getList("output.inputs");
        assertEquals(2, seen.size());
        assertEquals("Bad", seen.get(1).get("from_project"));
        assertTrue(String.valueOf(seen.get(1).get("missing")).contains("simulated permanent failure"),
                "the missing input carries the upstream's error: " + seen.get(1));
    }

    private static void assertInput(Map<String, Object> input, String from, String relation, String dataType) {
        assertEquals(from, input.get("from_project"));
        assertEquals(relation, input.get("relation"));
        assertEquals(dataType, input.get("data_type"));
        assertEquals(from, input.get("saw_project"), "the output it saw came from " + from);
    }

    private static long gapMillis(JsonPath task, int afterAttempt) {
        OffsetDateTime finished = OffsetDateTime.parse(task.getString("attempts[" + afterAttempt + "].finished_at"));
        OffsetDateTime nextStarted = OffsetDateTime.parse(task.getString("attempts[" + (afterAttempt + 1) + "].started_at"));
        return Duration.between(finished, nextStarted).toMillis();
    }

    static OffsetDateTime time(JsonPath run, String task, String field) {
        return OffsetDateTime.parse(run.getString("tasks.find { it.name == '" + task + "' }." + field));
    }
}
