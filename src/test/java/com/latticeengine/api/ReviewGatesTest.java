package com.latticeengine.api;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import com.latticeengine.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review gates end to end over HTTP with the simulated processor: an output that trips its gate
 * waits as AWAITING_REVIEW with its downstream WAITING, and each decision moves it and its downstream on.
 */
@QuarkusTest
class ReviewGatesTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Map<String, Object> LOW_CONFIDENCE = Map.of("output", Map.of("confidence", 0.5));
    private static final Map<String, Object> HIGH_CONFIDENCE = Map.of("output", Map.of("confidence", 0.9));
    private static final Map<String, Object> GATE = Map.of("when", "output.confidence < 0.7");

    @Inject
    Sql sql;

    /**
     * The run's gate; A (confidence 0.5, trips it) feeds B (parent, required) and C (optional flow),
     * which pass it; D would trip it but its own {@code always: false} exempts it.
     */
    private static Lattice lattice() {
        return Lattice.create()
                .project("A", 1, null, LOW_CONFIDENCE)
                .project("B", 2, "A", HIGH_CONFIDENCE)
                .project("C", 2, null, HIGH_CONFIDENCE)
                .flow("A", "C", "findings", false)
                .project("D", 1, null, LOW_CONFIDENCE)
                .field("D", "review", Map.of("always", false))
                .option("review", GATE);
    }

    private static JsonPath awaitingReview(String run) {
        JsonPath view = Api.awaitRun(run, LIMIT, v -> "AWAITING_REVIEW".equals(Api.taskState(v, "A"))
                && "SUCCEEDED".equals(Api.taskState(v, "D")));
        Api.sleep(300);
        return Api.run(run);
    }

    private static io.restassured.response.ValidatableResponse decide(String run, String task, Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/api/runs/" + run + "/tasks/" + task + "/review").then();
    }

    @Test
    void aTrippedGateHoldsTheDownstreamUntilApproved() throws SQLException {
        String run = Api.submit(lattice());
        JsonPath held = awaitingReview(run);
        assertEquals("RUNNING", held.getString("state"), "a run awaiting review has not ended");
        assertEquals(1, held.getInt("counts.awaiting_review"));
        assertEquals("WAITING", Api.taskState(held, "B"));
        assertEquals("WAITING", Api.taskState(held, "C"));
        assertEquals(List.of("A"), held.getList("tasks.find { it.name == 'B' }.missing_inputs"));
        JsonPath b = Api.task(run, "B");
        assertTrue(b.getBoolean("inputs[0].awaiting_review"));
        assertNull(b.get("inputs[0].output"), "an output awaiting review is not an input yet");
        JsonPath a = Api.task(run, "A");
        assertEquals(0.5, a.getDouble("output.confidence"), 1e-9);
        assertEquals("SUCCEEDED", a.getString("attempts[0].outcome"));
        assertEquals("review.when is true: output.confidence < 0.7", a.getString("attempts[0].review.reason"));
        assertNull(a.get("attempts[0].review.decision"));
        assertEquals("AWAITING_REVIEW", sql.query("SELECT string_agg(state, ',') FROM run_event WHERE run_id = '"
                + run + "' AND 'A' = ANY(task_names) AND state = 'AWAITING_REVIEW'"), "the awaiting_review event");

        decide(run, "A", Map.of("decision", "approve", "comment", "fine for a first cut")).statusCode(200)
                .body("state", equalTo("SUCCEEDED"))
                .body("attempts[0].review.decision", equalTo("approve"))
                .body("attempts[0].review.reviewed_by", equalTo("anonymous"))
                .body("attempts[0].review.comment", equalTo("fine for a first cut"));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"));
        JsonPath after = Api.task(run, "B");
        assertEquals("A", after.getString("output.inputs[0].saw_project"));
        assertEquals(1, Api.task(run, "A").getList("attempts").size(), "approved without another attempt");
        assertEquals("A", Api.task(run, "C").getString("output.inputs[0].saw_project"));
        // The run has ended, so its stream replays the whole log and closes.
        String stream = given().accept("text/event-stream").get("/api/runs/" + run + "/events").then()
                .statusCode(200).extract().asString();
        assertTrue(stream.contains("\"task_name\":\"A\",\"state\":\"AWAITING_REVIEW\""), stream);
        assertTrue(stream.matches("(?s).*event: ?review\n.*"), stream);
        assertTrue(stream.matches("(?s).*\\{\"task_name\":\"A\",\"state\":\"SUCCEEDED\",\"attempt\":1,"
                + "\"at\":\"[^\"]+\",\"decision\":\"approve\",\"reviewed_by\":\"anonymous\"}.*"), stream);

        decide(run, "A", Map.of("decision", "approve")).statusCode(409).contentType("application/problem+json");
        decide(run, "D", Map.of("decision", "fail")).statusCode(409);
        decide(run, "Nope", Map.of("decision", "approve")).statusCode(404);
    }

    @Test
    void anEditReplacesTheOutputDownstreamSeesAndTheAttemptKeepsTheOriginal() throws SQLException {
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("confidence"),
                "properties", Map.of("confidence", Map.of("type", "number")));
        String run = Api.submit(lattice().field("A", "output_schema", schema));
        awaitingReview(run);

        decide(run, "A", Map.of("decision", "edit", "output", Map.of("confidence", "high"))).statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("output"))
                .body("errors[0].reason", startsWith("does not match the output schema: $.confidence"));
        assertEquals("AWAITING_REVIEW", Api.task(run, "A").getString("state"), "a refused edit changes nothing");

        decide(run, "A", Map.of("decision", "edit", "output", Map.of("confidence", 0.9, "note", "checked by hand")))
                .statusCode(200).body("state", equalTo("SUCCEEDED"))
                .body("output.note", equalTo("checked by hand"))
                .body("attempts[0].review.decision", equalTo("edit"))
                .body("attempts[0].review.edited_output.note", equalTo("checked by hand"));
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));
        assertEquals("0.5", sql.query("SELECT a.output ->> 'confidence' FROM task_attempt a JOIN task t ON t.id = a.task_id"
                + " WHERE t.run_id = '" + run + "' AND t.name = 'A'"), "the original stays in the attempt");
        String edited = sql.query("SELECT md5(output::text) FROM task WHERE run_id = '" + run + "' AND name = 'A'");
        assertEquals(edited, sql.query("SELECT md5('{\"note\": \"checked by hand\", \"confidence\": 0.9}'::jsonb::text)"));
        JsonPath b = Api.task(run, "B");
        assertEquals("checked by hand", b.getString("inputs[0].output.note"), "downstream got the edited output");
    }

    @Test
    void aRejectRunsTheTaskAgainWithTheCommentAndThenItsDownstream() {
        String run = Api.submit(Lattice.create()
                .project("A", 1, null)
                .field("A", "review", Map.of("when", "!has(output.review_comment)"))
                .project("B", 2, "A"));
        Api.awaitRun(run, LIMIT, v -> "AWAITING_REVIEW".equals(Api.taskState(v, "A")));

        decide(run, "A", Map.of("decision", "reject", "comment", "cite your sources")).statusCode(200)
                .body("attempts[0].review.decision", equalTo("reject"))
                .body("attempts[0].review.comment", equalTo("cite your sources"));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"));
        JsonPath a = Api.task(run, "A");
        assertEquals(2, a.getList("attempts").size());
        assertEquals("cite your sources", a.getString("output.review_comment"), "the new attempt got the comment");
        assertNull(a.get("attempts[1].review"), "the second output passed the gate");
        assertEquals("cite your sources", Api.task(run, "B").getString("inputs[0].output.review_comment"),
                "downstream ran on the new output");
        decide(run, "A", Map.of("decision", "reject")).statusCode(409);

        // The reject was answered: a rerun starts afresh, so its output lacks the comment and trips the gate again.
        given().post("/api/runs/" + run + "/tasks/A/rerun").then().statusCode(200);
        Api.awaitRun(run, LIMIT, v -> "AWAITING_REVIEW".equals(Api.taskState(v, "A")));
        JsonPath rerun = Api.task(run, "A");
        assertEquals(3, rerun.getList("attempts").size());
        assertNull(rerun.get("output.review_comment"), "the rerun was given the old reject's comment");
        decide(run, "A", Map.of("decision", "approve")).statusCode(200);
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, LIMIT).getString("state"));
    }

    @Test
    void aFailBlocksRequiredDownstreamAndReleasesOptional() {
        String run = Api.submit(lattice());
        awaitingReview(run);
        decide(run, "A", Map.of("decision", "fail", "comment", "hallucinated figures")).statusCode(200)
                .body("state", equalTo("FAILED"))
                .body("error", equalTo("failed in review: hallucinated figures"))
                .body("attempts[0].review.decision", equalTo("fail"));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", done.getString("state"));
        assertEquals("BLOCKED", Api.taskState(done, "B"));
        assertEquals("SUCCEEDED", Api.taskState(done, "C"), "an optional input does not hold C back");
        assertTrue(Api.task(run, "C").getString("output.inputs[0].missing").contains("ended FAILED"));
        decide(run, "A", Map.of("decision", "approve")).statusCode(409);
    }

    @Test
    void aGateThatCannotBeEvaluatedAsksForReview() {
        String run = Api.submit(Lattice.create().project("A", 1, null).option("review", GATE));
        JsonPath held = Api.awaitRun(run, LIMIT, v -> "AWAITING_REVIEW".equals(Api.taskState(v, "A")));
        assertEquals("RUNNING", held.getString("state"));
        assertTrue(Api.task(run, "A").getString("attempts[0].review.reason")
                .startsWith("review.when could not be evaluated"));
        given().post("/api/runs/" + run + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        assertEquals("CANCELLED", Api.task(run, "A").getString("state"), "cancel ends a task awaiting review");
        decide(run, "A", Map.of("decision", "approve")).statusCode(409);
    }

    @Test
    void badGatesAreRefusedAtSubmissionNamingTheField() {
        given().contentType(ContentType.JSON).body(Lattice.create().project("A", 1)
                        .option("review", Map.of("when", "output.confidence <")).body())
                .when().post("/api/runs").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("review.when"))
                .body("errors[0].reason", startsWith("is not a valid CEL expression"));
        given().contentType(ContentType.JSON).body(Lattice.create().project("A", 1).project("B", 2, "A")
                        .field("B", "review", Map.of("when", "output.confidence + 1")).body())
                .when().post("/api/runs").then().statusCode(400)
                .body("errors.field", hasItem("lattice.projects[1].review.when"));
        given().contentType(ContentType.JSON).body(Lattice.create().project("A", 1)
                        .option("review", Map.of("always", true, "when", "true")).body())
                .when().post("/api/runs").then().statusCode(400).body("errors[0].field", equalTo("review"));
    }

    @Test
    void badDecisionsAreRefusedNamingTheField() {
        String run = Api.submit(Lattice.create().project("A", 1, null).option("review", Map.of("always", true)));
        Api.awaitRun(run, LIMIT, v -> "AWAITING_REVIEW".equals(Api.taskState(v, "A")));
        decide(run, "A", Map.of("decision", "maybe")).statusCode(400).body("errors[0].field", equalTo("decision"));
        decide(run, "A", Map.of()).statusCode(400).body("errors[0].field", equalTo("decision"));
        decide(run, "A", Map.of("decision", "edit")).statusCode(400).body("errors[0].field", equalTo("output"));
        decide(run, "A", Map.of("decision", "approve", "output", Map.of())).statusCode(400)
                .body("errors[0].field", equalTo("output"));
        decide(run, "A", Map.of("decision", "reject", "comment", 3)).statusCode(400)
                .body("errors[0].field", equalTo("comment"));
        decide(run, "A", Map.of("decision", "approve", "by", "me")).statusCode(400).body("errors[0].field", equalTo("by"));
        given().contentType(ContentType.JSON).body("{\"decision\":").post("/api/runs/" + run + "/tasks/A/review")
                .then().statusCode(400).body("errors[0].field", equalTo("body"));
        assertFalse(Api.task(run, "A").getString("state").equals("SUCCEEDED"), "no bad body decided anything");
        // Two decisions at once: the row lock lets one through, the other finds it decided.
        List<CompletableFuture<Integer>> racing = List.of("approve", "fail").stream()
                .map(d -> CompletableFuture.supplyAsync(() -> decide(run, "A", Map.of("decision", d))
                        .extract().statusCode())).toList();
        List<Integer> codes = racing.stream().map(CompletableFuture::join).sorted().toList();
        assertEquals(List.of(200, 409), codes);
        assertEquals(1, Api.task(run, "A").getList("attempts").size());
        Api.awaitRunEnd(run, LIMIT);
    }
}
