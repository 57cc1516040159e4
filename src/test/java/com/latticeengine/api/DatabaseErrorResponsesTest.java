package com.latticeengine.api;

import com.latticeengine.support.Lattice;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A database error that is not an outage is a 500 with an error id (logged at ERROR under that
 * id, nothing of the SQL in the answer); an unavailable server (SQLState class 57P here, raised
 * by a trigger on this test's own submissions) is a 503 with Retry-After. The real outage, a
 * server that does not answer at all, is it/DatabaseOutageIT.
 */
@QuarkusTest
class DatabaseErrorResponsesTest {

    private static final String MARK = "fail-in-the-database";
    private static final String SERVER_MESSAGE = "boom: SELECT secret_column FROM internal_table";

    @Inject
    AgroalDataSource dataSource;

    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void failOnlyTheseSubmissions() throws SQLException {
        // The SQLState to raise follows the marker in the requirements.
        sql("CREATE OR REPLACE FUNCTION lattice_test_fail() RETURNS trigger AS $$ BEGIN "
                + "IF NEW.requirements LIKE '" + MARK + " %' THEN "
                + "RAISE EXCEPTION '" + SERVER_MESSAGE + "' USING ERRCODE = substr(NEW.requirements, "
                + (MARK.length() + 2) + "); END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
        sql("DROP TRIGGER IF EXISTS lattice_test_fail ON run");
        sql("CREATE TRIGGER lattice_test_fail BEFORE INSERT ON run FOR EACH ROW EXECUTE FUNCTION lattice_test_fail()");
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void removeTheTrigger() throws SQLException {
        Logger.getLogger("").removeHandler(capture);
        sql("DROP TRIGGER IF EXISTS lattice_test_fail ON run");
        sql("DROP FUNCTION IF EXISTS lattice_test_fail()");
    }

    @Test
    void anInternalDatabaseErrorIsA500WithAnErrorIdThatTheLogNames() {
        Response response = submit("XX001");
        assertEquals(500, response.statusCode(), response.asString());
        assertTrue(response.contentType().startsWith("application/problem+json"), response.contentType());
        String errorId = response.jsonPath().getString("error_id");
        assertNotNull(errorId, response.asString());
        assertTrue(response.jsonPath().getString("detail").contains(errorId), response.asString());
        for (String leak : List.of("boom", "SELECT", "secret_column", "SQLException", "PSQL", "org.postgresql", "java.",
                "XX001", "lattice_test_fail")) {
            assertFalse(response.asString().contains(leak), "the 500 shows '" + leak + "': " + response.asString());
        }
        synchronized (records) {
            assertTrue(records.stream().anyMatch(r -> r.getLevel().intValue() >= Level.SEVERE.intValue()
                            && message(r).contains(errorId) && r.getThrown() != null),
                    "no ERROR log line with error id " + errorId + " and the exception");
        }
    }

    @Test
    void anUnavailableServerIsA503WithRetryAfter() {
        Response response = submit("57P03");
        assertEquals(503, response.statusCode(), response.asString());
        assertTrue(response.contentType().startsWith("application/problem+json"), response.contentType());
        assertEquals("5", response.getHeader("Retry-After"));
        assertFalse(response.asString().contains("boom"), response.asString());
    }

    @Test
    void aNulInATaskNameIsA404NotADatabaseError() {
        String run = given().contentType(ContentType.JSON).body(Lattice.create().project("A", 1).body()).post("/api/runs")
                .then().statusCode(201).extract().path("id");
        given().urlEncodingEnabled(false).get("/api/runs/" + run + "/tasks/A%00B").then().statusCode(404)
                .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"));
        com.latticeengine.support.Api.awaitRunEnd(run, java.time.Duration.ofSeconds(30));
        given().urlEncodingEnabled(false).post("/api/runs/" + run + "/tasks/A%00B/rerun").then().statusCode(404);
    }

    private static Response submit(String sqlState) {
        Map<String, Object> body = Lattice.create().project("A", 1).body();
        body.put("requirements", MARK + " " + sqlState);
        return given().contentType(ContentType.JSON).body(body).post("/api/runs");
    }

    private static String message(LogRecord record) {
        String text = record instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        return String.valueOf(text);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
