package com.latticeengine.engine;

import com.latticeengine.store.NewRun;
import com.latticeengine.store.RunStore;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs are written straight through the store, which wakes no claimer in this process: only
 * the Postgres notification (or the 10 s fallback poll) can get the task started.
 */
@QuarkusTest
@TestProfile(ReadyNotificationTest.SlowPoll.class)
class ReadyNotificationTest {

    public static class SlowPoll implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lattice.worker.poll-interval", "10s");
        }
    }

    private static final String LISTENER_PID = """
            SELECT pid FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()
            """;

    @Inject
    RunStore runs;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aNotifiedTaskStartsWellBeforeThePollIntervalAndAfterTheListenerIsKilled() throws Exception {
        long firstWait = millisUntilStarted(insertRun());
        assertTrue(firstWait < 2_000, "started after " + firstWait + " ms; the poll interval is 10 s");

        int killed = listenerPid();
        assertTrue(query("SELECT pg_terminate_backend(" + killed + ")::int") == 1);
        long secondWait = millisUntilStarted(insertRun());
        assertTrue(secondWait < 9_000, "started after " + secondWait + " ms: the reconnect must wake the claimer");
        assertNotEquals(killed, listenerPid(), "the listener reconnected on a new connection");
    }

    private UUID insertRun() throws SQLException {
        UUID id = UUID.randomUUID();
        runs.insert(new NewRun(id, "r", "simulated", 1, 60_000, "{}", null, "default", null, null,
                List.of(new NewRun.Task("A", 0, 1, "{\"name\":\"A\",\"layer\":1}", 0, 1, null)), List.of()));
        return id;
    }

    private long millisUntilStarted(UUID runId) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < Duration.ofSeconds(15).toNanos()) {
            if (query("SELECT count(*) FROM task WHERE run_id = '" + runId + "' AND started_at IS NOT NULL") == 1) {
                return Duration.ofNanos(System.nanoTime() - start).toMillis();
            }
            Thread.sleep(20);
        }
        return fail("task of run " + runId + " never started");
    }

    private int listenerPid() throws SQLException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            long pid = query(LISTENER_PID);
            if (pid > 0) {
                return (int) pid;
            }
            Thread.sleep(50);
        }
        return fail("no connection is listening on lattice_ready");
    }

    private long query(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
