package com.latticeengine.ops;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Liveness goes DOWN when the poller is stuck and UP once it moves again. The test wedges the
 * real claimer: it holds an exclusive lock on the task table, so the claim statement blocks
 * (as it would behind a runaway migration or a hung connection), with no test hook in the code.
 */
@QuarkusTest
@TestProfile(StuckPollerProfile.class)
class WorkerLivenessTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void livenessIsDownWhileTheClaimerIsStuckAndUpAfter() throws Exception {
        awaitLiveness(200, "UP", Duration.ofSeconds(15));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '10s'");
                s.execute("LOCK TABLE task IN ACCESS EXCLUSIVE MODE");
                JsonPath down = awaitLiveness(503, "DOWN", Duration.ofSeconds(20));
                assertEquals("DOWN", down.getString("checks.find { it.name == 'lattice-worker-poller' }.status"));
            } finally {
                c.rollback();
            }
        }
        awaitLiveness(200, "UP", Duration.ofSeconds(20));
    }

    private static JsonPath awaitLiveness(int status, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            var response = given().when().get("/q/health/live").then().extract();
            last = response.jsonPath();
            if (response.statusCode() == status && state.equals(last.getString("status"))) {
                return last;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return fail("liveness did not become " + state + " within " + timeout + "; last: " + (last == null ? null : last.prettify()));
    }
}
