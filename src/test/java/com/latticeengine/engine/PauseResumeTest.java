package com.latticeengine.engine;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pause and resume by hand over HTTP, and cancel and rerun from PAUSED. */
@QuarkusTest
class PauseResumeTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aPausedRunKeepsItsReadyTasksReadyUntilResumed() throws SQLException {
        String run = Api.submit(Lattice.create()
                .project("Slow", 1, null, Map.of("latency_ms", 4_000))
                .project("After", 2, "Slow", Map.of("latency_ms", 1_000))
                .project("Other", 1, null, Map.of("latency_ms", 4_000)));
        Api.awaitRun(run, LIMIT, view -> view.getInt("counts.running") == 2);

        given().post("/api/runs/" + run + "/pause").then().statusCode(200)
                .body("state", equalTo("PAUSED")).body("paused_reason", equalTo("operator"));
        given().post("/api/runs/" + run + "/pause").then().statusCode(200).body("state", equalTo("PAUSED"));
        // The running tasks finish and are recorded; the task they release stays READY.
        JsonPath paused = Api.awaitRun(run, LIMIT, view -> view.getInt("counts.succeeded") == 2);
        assertEquals("PAUSED", paused.getString("state"));
        assertEquals("READY", Api.taskState(paused, "After"));
        Api.sleep(1_500);
        assertEquals(0, Api.task(run, "After").getList("attempts").size(), "claimed while paused");

        given().post("/api/runs/" + run + "/resume").then().statusCode(200)
                .body("state", equalTo("RUNNING")).body("paused_reason", nullValue());
        given().post("/api/runs/" + run + "/resume").then().statusCode(200).body("state", equalTo("RUNNING"));
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));
        assertEquals(List.of("RUNNING", "PAUSED", "RUNNING", "SUCCEEDED"), runEvents(run), "the run's own events");
    }

    @Test
    void aPausedRunWhoseLastTaskFinishesEnds() {
        String run = Api.submit(Lattice.create().project("Only", 1, null, Map.of("latency_ms", 3_000)));
        Api.awaitRun(run, LIMIT, view -> view.getInt("counts.running") == 1);
        given().post("/api/runs/" + run + "/pause").then().statusCode(200).body("state", equalTo("PAUSED"));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"));
        given().post("/api/runs/" + run + "/pause").then().statusCode(409)
                .contentType("application/problem+json");
        given().post("/api/runs/" + run + "/resume").then().statusCode(409)
                .contentType("application/problem+json");
        given().post("/api/runs/" + UUID.randomUUID() + "/pause").then().statusCode(404);
    }

    @Test
    void cancelAndRerunWorkFromPaused() {
        String cancelled = Api.submit(Lattice.create().project("Slow", 1, null, Map.of("latency_ms", 20_000))
                .project("Next", 2, "Slow"));
        Api.awaitRun(cancelled, LIMIT, view -> view.getInt("counts.running") == 1);
        given().post("/api/runs/" + cancelled + "/pause").then().statusCode(200);
        given().post("/api/runs/" + cancelled + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        assertEquals(Map.of("cancelled", 2), nonZero(Api.run(cancelled)));

        // Flaky fails its only attempt while Slow still runs; the paused run's rerun retries it.
        String rerun = Api.submit(Lattice.create()
                .project("Flaky", 1, null, Map.of("fail_attempts", 1))
                .project("Slow", 1, null, Map.of("latency_ms", 4_000))
                .option("max_attempts", 1));
        Api.awaitRun(rerun, LIMIT, view -> "FAILED".equals(Api.taskState(view, "Flaky")));
        given().post("/api/runs/" + rerun + "/pause").then().statusCode(200).body("state", equalTo("PAUSED"));
        given().post("/api/runs/" + rerun + "/rerun").then().statusCode(200).body("state", equalTo("RUNNING"));
        JsonPath done = Api.awaitRunEnd(rerun, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"));
        assertEquals(List.of("FAILED", "SUCCEEDED"), Api.task(rerun, "Flaky").getList("attempts.outcome"));
    }

    @Test
    void aTaskOfAPausedRunIsRerunUnlessItOrADownstreamTaskStillRuns() {
        String run = Api.submit(Lattice.create()
                .project("Done", 1)
                .project("Slow", 1, null, Map.of("latency_ms", 8_000))
                .project("After", 2, "Slow"));
        Api.awaitRun(run, LIMIT, view -> "SUCCEEDED".equals(Api.taskState(view, "Done"))
                && "RUNNING".equals(Api.taskState(view, "Slow")));
        given().post("/api/runs/" + run + "/pause").then().statusCode(200);
        given().post("/api/runs/" + run + "/tasks/Slow/rerun").then().statusCode(409)
                .contentType("application/problem+json");

        given().post("/api/runs/" + run + "/tasks/Done/rerun").then().statusCode(200).body("state", equalTo("RUNNING"));
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), Api.task(run, "Done").getList("attempts.outcome"));
        assertEquals(List.of("SUCCEEDED"), Api.task(run, "Slow").getList("attempts.outcome"), "Slow ran once");
        assertEquals(List.of("SUCCEEDED"), Api.task(run, "After").getList("attempts.outcome"));
    }

    private List<String> runEvents(String runId) throws SQLException {
        List<String> states = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT state FROM run_event WHERE run_id = ? AND task_names IS NULL ORDER BY tx, id")) {
            ps.setObject(1, UUID.fromString(runId));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    states.add(rs.getString(1));
                }
            }
        }
        return states;
    }

    private static Map<String, Integer> nonZero(JsonPath view) {
        Map<String, Integer> counts = new TreeMap<>(view.getMap("counts"));
        counts.values().removeIf(n -> n == 0);
        return counts;
    }
}
