package com.latticeengine.engine;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class CounterConsistencyTest {

    /**
     * One statement = one MVCC snapshot: every WAITING/READY task whose counter differs from the
     * number of its distinct upstream tasks not yet SUCCEEDED, or whose state disagrees with it.
     */
    private static final String INCONSISTENT = """
            SELECT t.name, t.state, t.remaining_inputs, u.pending
              FROM task t
              CROSS JOIN LATERAL (SELECT count(DISTINCT i.from_task) AS pending
                                    FROM task_input i JOIN task f ON f.id = i.from_task
                                   WHERE i.to_task = t.id AND f.state <> 'SUCCEEDED') u
             WHERE t.run_id = ? AND t.state IN ('WAITING', 'READY')
               AND (t.remaining_inputs <> u.pending OR (t.state = 'READY') <> (u.pending = 0))
            """;

    /** Tasks that started before one of their upstream tasks finished. */
    private static final String EARLY_STARTS = """
            SELECT count(*) FROM task t JOIN task_input i ON i.to_task = t.id JOIN task f ON f.id = i.from_task
             WHERE t.run_id = ? AND t.started_at < f.finished_at
            """;

    private static final String RUN_RUNNING = "SELECT count(*) FROM run WHERE id = ? AND state = 'RUNNING'";

    @Inject
    AgroalDataSource dataSource;

    @Test
    void countersMatchUpstreamStatesInEverySnapshotOfA500TaskRun() throws SQLException {
        String run = Api.submit(Lattice.randomDag(500, 42, 40));
        UUID runId = UUID.fromString(run);
        int snapshots = 0;
        List<String> violations = new ArrayList<>();
        while (count(RUN_RUNNING, runId) == 1 && snapshots < 100_000) {
            violations.addAll(inconsistent(runId));
            Api.sleep(20);
            snapshots++;
        }
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, Duration.ofSeconds(60)).getString("state"));
        assertTrue(snapshots >= 20, "took only " + snapshots + " snapshots; the check must see the run in flight");
        assertEquals(List.of(), violations);
        assertEquals(0, count(EARLY_STARTS, runId), "a task started before an upstream finished");
    }

    private List<String> inconsistent(UUID runId) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INCONSISTENT)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1) + " " + rs.getString(2) + " remaining=" + rs.getInt(3)
                            + " pending=" + rs.getInt(4));
                }
            }
        }
        return found;
    }

    private long count(String sql, UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
