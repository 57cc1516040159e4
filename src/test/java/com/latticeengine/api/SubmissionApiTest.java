package com.latticeengine.api;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@QuarkusTest
class SubmissionApiTest {

    @Inject
    AgroalDataSource dataSource;

    private static final String P = "{\"name\":\"A\",\"layer\":1}";

    static Stream<Arguments> invalidSubmissions() {
        return Stream.of(
                Arguments.of("{\"lattice\":{\"projects\":[" + P + "]}}", "requirements", "is required"),
                Arguments.of("{\"requirements\":\"  \",\"lattice\":{\"projects\":[" + P + "]}}", "requirements",
                        "must not be blank"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[]}}", "lattice.projects",
                        "must contain at least one project"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + P + "," + P + "]}}",
                        "lattice.projects[1].name", "duplicate project name 'A'"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\",\"layer\":1,"
                        + "\"parent_name\":\"Nope\"}]}}", "lattice.projects[0].parent_name", "unknown project 'Nope'"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + P + "],\"data_flows\":"
                        + "[{\"from_project\":\"X\",\"to_project\":\"A\",\"data_type\":\"d\"}]}}",
                        "lattice.data_flows[0].from_project", "unknown project 'X'"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + P + "],\"data_flows\":"
                        + "[{\"from_project\":\"A\",\"to_project\":\"Y\",\"data_type\":\"d\"}]}}",
                        "lattice.data_flows[0].to_project", "unknown project 'Y'"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\",\"layer\":1,"
                        + "\"parent_name\":\"A\"}]}}", "lattice.projects[0].parent_name", "its own parent"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + P + "],\"data_flows\":"
                        + "[{\"from_project\":\"A\",\"to_project\":\"A\",\"data_type\":\"d\"}]}}",
                        "lattice.data_flows[0]", "cannot depend on itself"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + P + ",{\"name\":\"B\",\"layer\":2}],"
                        + "\"data_flows\":[{\"from_project\":\"A\",\"to_project\":\"B\",\"data_type\":\"d\"},"
                        + "{\"from_project\":\"A\",\"to_project\":\"B\",\"data_type\":\"d\"}]}}",
                        "lattice.data_flows[1]", "duplicate data flow"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\",\"layer\":1,"
                        + "\"parent_name\":\"C\"},{\"name\":\"B\",\"layer\":1,\"parent_name\":\"A\"},"
                        + "{\"name\":\"C\",\"layer\":1,\"parent_name\":\"B\"}]}}", "lattice", "cycle: A -> B -> C -> A"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\"}]}}",
                        "lattice.projects[0].layer", "is required"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\",\"layer\":-1}]}}",
                        "lattice.projects[0].layer", "must be an integer >= 0"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\",\"layer\":\"1\"}]}}",
                        "lattice.projects[0].layer", "must be an integer"),
                Arguments.of("{\"requirements\":42,\"lattice\":{\"projects\":[" + P + "]}}", "requirements",
                        "must be a string"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + P + "]",
                        "body", "malformed JSON"),
                Arguments.of("{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + P + "]},\"processor\":\"nope\"}",
                        "processor", "unknown processor 'nope'"));
    }

    @ParameterizedTest
    @MethodSource("invalidSubmissions")
    void invalidSubmissionIsRejectedWithTheFieldAndNothingIsStored(String body, String field, String reason)
            throws SQLException {
        long runsBefore = count("run");
        long tasksBefore = count("task");

        given().contentType(ContentType.JSON).body(body)
                .when().post("/api/runs")
                .then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(400))
                .body("errors.field", hasItem(field))
                .body("detail", containsString(reason));

        assertEquals(runsBefore, count("run"), "no run row may be written");
        assertEquals(tasksBefore, count("task"), "no task row may be written");
    }

    @Test
    void acceptedSubmissionReturns201WithLocationAndTheRunView() {
        // A takes a second, so the 201 cannot come after the whole run has already ended.
        String location = given().contentType(ContentType.JSON)
                .body(Lattice.create().project("A", 1, null, Map.of("latency_ms", 1000)).project("B", 2, "A").body())
                .when().post("/api/runs")
                .then().statusCode(201)
                .body("state", equalTo("RUNNING"))
                .body("tasks.name", hasItem("B"))
                .extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        Api.awaitRunEnd(id, Duration.ofSeconds(30));
        given().when().get(location).then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void repeatedIdempotencyKeyReturnsTheFirstRun() throws SQLException {
        String key = "key-" + UUID.randomUUID();
        Map<String, Object> body = Lattice.create().project("A", 1).body();
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
        long runs = count("run");
        String second = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .when().post("/api/runs").then().statusCode(200).extract().path("id");
        assertEquals(first, second);
        assertEquals(runs, count("run"));
        String other = given().contentType(ContentType.JSON).header("Idempotency-Key", key + "-other").body(body)
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
        assertNotEquals(first, other);
    }

    @Test
    void unknownRunsAndTasksAre404Problems() {
        String id = Api.submit(Lattice.create().project("A", 1));
        given().when().get("/api/runs/" + UUID.randomUUID())
                .then().statusCode(404).contentType(startsWith("application/problem+json"));
        given().when().get("/api/runs/not-a-uuid")
                .then().statusCode(404).contentType(startsWith("application/problem+json"));
        given().when().get("/api/runs/" + id + "/tasks/Nope")
                .then().statusCode(404).contentType(startsWith("application/problem+json"));
        given().when().get("/api/runs?state=SIDEWAYS")
                .then().statusCode(400).body("errors[0].field", equalTo("state"));
        Api.awaitRunEnd(id, Duration.ofSeconds(30));
    }

    @Test
    void runsAreListedNewestFirstAndFilteredByState() {
        String older = Api.submit(Lattice.create().project("A", 1));
        Api.awaitRunEnd(older, Duration.ofSeconds(30));
        String newer = Api.submit(Lattice.create().project("A", 1));
        Api.awaitRunEnd(newer, Duration.ofSeconds(30));
        given().when().get("/api/runs?size=2")
                .then().statusCode(200).body("[0].id", equalTo(newer)).body("[1].id", equalTo(older));
        given().when().get("/api/runs?state=succeeded&size=1000")
                .then().statusCode(200).body("state", org.hamcrest.Matchers.everyItem(equalTo("SUCCEEDED")));
    }

    private long count(String table) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
