package com.latticeengine.api;

import com.latticeengine.support.AuthEnabledProfile;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed submissions, one row each: every one gets a 4xx problem+json naming the
 * field (never a 5xx), and the database's row counts are the same afterwards. Runs with auth on
 * (an operator key) and the small limits of {@link AuthEnabledProfile}.
 */
@QuarkusTest
@TestProfile(AuthEnabledProfile.class)
class HostileSubmissionsTest {

    private static final String A = "{\"name\":\"A\",\"layer\":1}";

    @Inject
    AgroalDataSource dataSource;

    private static String body(String projects) {
        return "{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + projects + "]}}";
    }

    private static String withFlows(String projects, String flows) {
        return "{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + projects + "],\"data_flows\":[" + flows + "]}}";
    }

    private static String named(String name) {
        return body("{\"name\":\"" + name + "\",\"layer\":1}");
    }

    private static String projects(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"name\":\"p" + i + "\",\"layer\":1}").collect(Collectors.joining(","));
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /** body, expected status, a field the problem must name. */
    static Stream<Arguments> hostile() {
        String ab = A + ",{\"name\":\"B\",\"layer\":1}";
        return Stream.of(
                // wrong types and nulls
                Arguments.of("requirements is a number", "{\"requirements\":42,\"lattice\":{\"projects\":[" + A + "]}}", 400, "requirements"),
                Arguments.of("requirements is null", "{\"requirements\":null,\"lattice\":{\"projects\":[" + A + "]}}", 400, "requirements"),
                Arguments.of("requirements is an array", "{\"requirements\":[\"r\"],\"lattice\":{\"projects\":[" + A + "]}}", 400, "requirements"),
                Arguments.of("lattice is a string", "{\"requirements\":\"r\",\"lattice\":\"A\"}", 400, "lattice"),
                Arguments.of("lattice is null", "{\"requirements\":\"r\",\"lattice\":null}", 400, "lattice"),
                Arguments.of("projects is an object", "{\"requirements\":\"r\",\"lattice\":{\"projects\":{}}}", 400, "lattice.projects"),
                Arguments.of("projects is empty", body(""), 400, "lattice.projects"),
                Arguments.of("a project is a number", body("7"), 400, "lattice.projects[0]"),
                Arguments.of("a name is a number", body("{\"name\":5,\"layer\":1}"), 400, "lattice.projects[0].name"),
                Arguments.of("a name is null", body("{\"name\":null,\"layer\":1}"), 400, "lattice.projects[0].name"),
                Arguments.of("layer is a string", body("{\"name\":\"A\",\"layer\":\"1\"}"), 400, "lattice.projects[0].layer"),
                Arguments.of("layer is negative", body("{\"name\":\"A\",\"layer\":-1}"), 400, "lattice.projects[0].layer"),
                Arguments.of("layer is 1e20", body("{\"name\":\"A\",\"layer\":100000000000000000000}"), 400, "lattice.projects[0].layer"),
                Arguments.of("layer is a fraction", body("{\"name\":\"A\",\"layer\":1.5}"), 400, "lattice.projects[0].layer"),
                Arguments.of("data_flows is a string", "{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + A + "],\"data_flows\":\"x\"}}", 400, "lattice.data_flows"),
                Arguments.of("a data flow is an array", withFlows(ab, "[]"), 400, "lattice.data_flows[0]"),
                Arguments.of("required is a string", withFlows(ab, "{\"from_project\":\"A\",\"to_project\":\"B\",\"data_type\":\"d\",\"required\":\"yes\"}"), 400, "lattice.data_flows[0].required"),
                Arguments.of("max_attempts is 0", "{\"requirements\":\"r\",\"max_attempts\":0,\"lattice\":{\"projects\":[" + A + "]}}", 400, "max_attempts"),
                Arguments.of("max_attempts is a string", "{\"requirements\":\"r\",\"max_attempts\":\"3\",\"lattice\":{\"projects\":[" + A + "]}}", 400, "max_attempts"),
                Arguments.of("task_timeout_ms is negative", "{\"requirements\":\"r\",\"task_timeout_ms\":-5,\"lattice\":{\"projects\":[" + A + "]}}", 400, "task_timeout_ms"),
                Arguments.of("cache is a string", "{\"requirements\":\"r\",\"cache\":\"no\",\"lattice\":{\"projects\":[" + A + "]}}", 400, "cache"),
                Arguments.of("llm is an array", "{\"requirements\":\"r\",\"llm\":[],\"lattice\":{\"projects\":[" + A + "]}}", 400, "llm"),
                Arguments.of("unknown processor", "{\"requirements\":\"r\",\"processor\":\"rm -rf\",\"lattice\":{\"projects\":[" + A + "]}}", 400, "processor"),
                Arguments.of("unknown top-level field", "{\"requirements\":\"r\",\"admin\":true,\"lattice\":{\"projects\":[" + A + "]}}", 400, "admin"),
                // references and cycles
                Arguments.of("unknown parent", body("{\"name\":\"A\",\"layer\":1,\"parent_name\":\"Z\"}"), 400, "lattice.projects[0].parent_name"),
                Arguments.of("unknown flow source", withFlows(A, "{\"from_project\":\"X\",\"to_project\":\"A\",\"data_type\":\"d\"}"), 400, "lattice.data_flows[0].from_project"),
                Arguments.of("unknown flow target", withFlows(A, "{\"from_project\":\"A\",\"to_project\":\"Y\",\"data_type\":\"d\"}"), 400, "lattice.data_flows[0].to_project"),
                Arguments.of("own parent (cycle of 1)", body("{\"name\":\"A\",\"layer\":1,\"parent_name\":\"A\"}"), 400, "lattice.projects[0].parent_name"),
                Arguments.of("cycle of 2", body("{\"name\":\"A\",\"layer\":1,\"parent_name\":\"B\"},{\"name\":\"B\",\"layer\":1,\"parent_name\":\"A\"}"), 400, "lattice"),
                Arguments.of("cycle of 3", body("{\"name\":\"A\",\"layer\":1,\"parent_name\":\"C\"},{\"name\":\"B\",\"layer\":1,\"parent_name\":\"A\"},{\"name\":\"C\",\"layer\":1,\"parent_name\":\"B\"}"), 400, "lattice"),
                Arguments.of("cycle of 5 through data flows", withFlows(projects(5), IntStream.range(0, 5).mapToObj(i ->
                        "{\"from_project\":\"p" + i + "\",\"to_project\":\"p" + ((i + 1) % 5) + "\",\"data_type\":\"d\"}")
                        .collect(Collectors.joining(","))), 400, "lattice"),
                Arguments.of("duplicate project names", body(A + "," + A), 400, "lattice.projects[1].name"),
                // malformed JSON
                Arguments.of("duplicate top-level key", "{\"requirements\":\"r\",\"requirements\":\"s\",\"lattice\":{\"projects\":[" + A + "]}}", 400, "body"),
                Arguments.of("duplicate key in a project", body("{\"name\":\"A\",\"name\":\"B\",\"layer\":1}"), 400, "body"),
                Arguments.of("truncated JSON", "{\"requirements\":\"r\",\"lattice\":{\"projects\":[" + A, 400, "body"),
                Arguments.of("trailing garbage", body(A) + " {}", 400, "body"),
                Arguments.of("empty body", "", 400, "body"),
                Arguments.of("an array, not an object", "[]", 400, "body"),
                Arguments.of("the JSON null", "null", 400, "body"),
                // characters
                Arguments.of("NUL in a name", named("A\\u0000B"), 400, "lattice.projects[0].name"),
                Arguments.of("NUL in requirements", "{\"requirements\":\"r\\u0000\",\"lattice\":{\"projects\":[" + A + "]}}", 400, "requirements"),
                Arguments.of("NUL in a free project field", body("{\"name\":\"A\",\"layer\":1,\"description\":\"x\\u0000\"}"), 400, "lattice.projects[0].description"),
                Arguments.of("NUL deep in a nested field", body("{\"name\":\"A\",\"layer\":1,\"notes\":{\"a\":[\"ok\",\"\\u0000\"]}}"), 400, "lattice.projects[0].notes.a[1]"),
                Arguments.of("NUL in a key", body("{\"name\":\"A\",\"layer\":1,\"k\\u0000\":1}"), 400, "lattice.projects[0].k\\u0000"),
                Arguments.of("line feed in a name", named("A\\nB"), 400, "lattice.projects[0].name"),
                Arguments.of("U+001F in a name", named("A\\u001fB"), 400, "lattice.projects[0].name"),
                Arguments.of("DEL (U+007F) in a name", named("A\\u007fB"), 400, "lattice.projects[0].name"),
                Arguments.of("RLO (U+202E) in a name", named("abc\\u202Egpj.exe"), 400, "lattice.projects[0].name"),
                Arguments.of("LRE (U+202A) in a name", named("\\u202AA"), 400, "lattice.projects[0].name"),
                Arguments.of("FSI (U+2068) in parent_name", body(A + ",{\"name\":\"B\",\"layer\":1,\"parent_name\":\"\\u2068A\"}"), 400, "lattice.projects[1].parent_name"),
                Arguments.of("PDI (U+2069) in a data_type", withFlows(ab, "{\"from_project\":\"A\",\"to_project\":\"B\",\"data_type\":\"d\\u2069\"}"), 400, "lattice.data_flows[0].data_type"),
                Arguments.of("tab in from_project", withFlows(ab, "{\"from_project\":\"A\\t\",\"to_project\":\"B\",\"data_type\":\"d\"}"), 400, "lattice.data_flows[0].from_project"),
                // sizes
                Arguments.of("a 201-character name", named("n".repeat(201)), 400, "lattice.projects[0].name"),
                Arguments.of("a 100,000-character name", named("n".repeat(100_000)), 400, "lattice.projects[0].name"),
                Arguments.of("requirements over the limit", "{\"requirements\":\"" + "r".repeat(AuthEnabledProfile.MAX_REQUIREMENTS_CHARS + 1)
                        + "\",\"lattice\":{\"projects\":[" + A + "]}}", 400, "requirements"),
                Arguments.of("more projects than the limit", body(projects(AuthEnabledProfile.MAX_PROJECTS + 1)), 400, "lattice.projects"),
                Arguments.of("more data flows than the limit", withFlows(projects(2), IntStream.range(0, AuthEnabledProfile.MAX_DATA_FLOWS + 1)
                        .mapToObj(i -> "{\"from_project\":\"p0\",\"to_project\":\"p1\",\"data_type\":\"d" + i + "\"}")
                        .collect(Collectors.joining(","))), 400, "lattice.data_flows"),
                Arguments.of("context over the limit", "{\"requirements\":\"r\",\"context\":{\"c\":\"" + "c".repeat(AuthEnabledProfile.MAX_CONTEXT_CHARS)
                        + "\"},\"lattice\":{\"projects\":[" + A + "]}}", 400, "context"),
                Arguments.of("nesting deeper than the limit", body("{\"name\":\"A\",\"layer\":1,\"x\":" + nested(40) + "}"), 400, "body"),
                Arguments.of("nesting deeper than Jackson allows", body("{\"name\":\"A\",\"layer\":1,\"x\":" + nested(2000) + "}"), 400, "body"),
                Arguments.of("a body over max-body-bytes", named("n") .replace("\"r\"", "\"" + "r".repeat((int) AuthEnabledProfile.MAX_BODY_BYTES) + "\""), 413, "body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isRejectedAs4xxProblemNamingTheFieldAndNothingIsStored(String what, String body, int status, String field)
            throws SQLException {
        List<Long> before = counts();
        Response response = given().header("X-API-Key", AuthEnabledProfile.OPERATOR_ACME)
                .contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8)).post("/api/runs");
        assertEquals(status, response.statusCode(), what + ": " + response.asString());
        assertTrue(response.contentType().startsWith("application/problem+json"), what + ": " + response.contentType());
        List<String> fields = response.jsonPath().getList("errors.field");
        assertTrue(fields != null && fields.contains(field), what + ": expected field " + field + " in " + response.asString());
        assertEquals(before, counts(), what + ": rows of run, task, task_input changed");
    }

    private List<Long> counts() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM run), (SELECT count(*) FROM task), "
                     + "(SELECT count(*) FROM task_input)")) {
            rs.next();
            return List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }
}
