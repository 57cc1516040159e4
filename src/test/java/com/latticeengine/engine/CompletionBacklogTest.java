package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Completions are held back at the database while a run's tasks keep finishing at once: the
 * replica must stop claiming at its bound instead of piling up uncommitted successes.
 */
@QuarkusTest
@TestProfile(CompletionBacklogTest.LongLease.class)
class CompletionBacklogTest {

    /** A held completion also holds its rows, which blocks lease renewals: no lease may run out meanwhile. */
    public static class LongLease implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lattice.worker.lease", "60s", "lattice.worker.heartbeat", "20s");
        }
    }

    /** Every completion writes task_attempt; this makes it wait for an advisory lock the test holds. */
    private static final String HOLD_COMPLETIONS = """
            CREATE FUNCTION test_hold_completions() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock_shared(4242);
                RETURN NULL;
            END $$;
            CREATE TRIGGER test_hold_completions BEFORE UPDATE ON task_attempt
                FOR EACH STATEMENT EXECUTE FUNCTION test_hold_completions();
            """;
    private static final String RELEASE_COMPLETIONS = """
            DROP TRIGGER IF EXISTS test_hold_completions ON task_attempt;
            DROP FUNCTION IF EXISTS test_hold_completions();
            """;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    LatticeConfig config;

    @Test
    void claimsStopWhileTheCompleterCannotCommit() throws Exception {
        int maxHeld = config.worker().concurrency() + 2 * Recorder.MAX_BATCH;
        int tasks = maxHeld + 200;
        Lattice lattice = Lattice.create();
        for (int i = 0; i < tasks; i++) {
            lattice.project("p" + i, 1);
        }
        String run;
        try (Connection lock = dataSource.getConnection(); Statement s = lock.createStatement()) {
            s.execute(HOLD_COMPLETIONS);
            try {
                s.execute("SELECT pg_advisory_lock(4242)");
                run = Api.submit(lattice);
                int held = steadyCount(UUID.fromString(run), "RUNNING");
                assertEquals(maxHeld, held, "tasks claimed while no success could be committed");
                assertEquals(tasks - maxHeld, count(UUID.fromString(run), "READY"));
            } finally {
                s.execute("SELECT pg_advisory_unlock_all()");
                s.execute(RELEASE_COMPLETIONS);
            }
        }
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, Duration.ofSeconds(60)).getString("state"));
    }

    /** The count once it has not changed for 1.5 s (claims stop for good, or this fails after 30 s). */
    private int steadyCount(UUID runId, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int now = count(runId, state);
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (now > 0 && System.nanoTime() - since > Duration.ofMillis(1500).toNanos()) {
                return now;
            }
            Thread.sleep(100);
        }
        return fail("the " + state + " count never settled; last " + last);
    }

    private int count(UUID runId, String state) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM task WHERE run_id = ? AND state = ?")) {
            ps.setObject(1, runId);
            ps.setString(2, state);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
