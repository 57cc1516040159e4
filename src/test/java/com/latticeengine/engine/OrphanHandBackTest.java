package com.latticeengine.engine;

import com.latticeengine.support.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A claim can commit while its reply is lost (the database restarts mid-commit): its tasks sit
 * RUNNING under this replica with no processor. The replica must give them back when it next
 * checks, not leave them until their leases run out.
 */
@QuarkusTest
@TestProfile(OrphanHandBackTest.LongLease.class)
class OrphanHandBackTest {

    /** A lease far longer than the test waits: only the orphan check can free the task in time. */
    public static class LongLease implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lattice.worker.lease", "120s", "lattice.worker.heartbeat", "500ms");
        }
    }

    /** The state a committed claim leaves: the task RUNNING under the worker, its attempt open. */
    private static final String ORPHAN = """
            WITH r AS (
                INSERT INTO run (id, state, requirements, processor, max_attempts, task_timeout_ms, task_count)
                VALUES (?::uuid, 'RUNNING', 'orphan test', 'simulated', 1, 60000, 1)
            ), t AS (
                INSERT INTO task (run_id, name, position, layer, project, state, remaining_inputs, attempt, max_attempt,
                                  worker_id, ready_at, started_at, lease_expires_at)
                VALUES (?::uuid, 'A', 0, 1, '{"name": "A", "layer": 1}', 'RUNNING', 0, 1, 1,
                        ?, now() - interval '1 minute', now() - interval '1 minute', now() + interval '2 minutes')
                RETURNING id, worker_id, started_at
            )
            INSERT INTO task_attempt (task_id, attempt, worker_id, started_at) SELECT id, 1, worker_id, started_at FROM t
            """;

    @Inject
    WorkerIdentity worker;
    @Inject
    LeaseKeeper leases;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void tasksOfAClaimWhoseReplyWasLostAreHandedBackAndRunWithoutSpendingAnAttempt() throws Exception {
        String run = UUID.randomUUID().toString();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ORPHAN)) {
            ps.setString(1, run);
            ps.setString(2, run);
            ps.setString(3, worker.id());
            ps.executeUpdate();
        }

        leases.checkForOrphans();

        JsonPath ended = Api.awaitRunEnd(run, Duration.ofSeconds(20));
        assertEquals("SUCCEEDED", ended.getString("state"), "the orphan ran, a lease (120 s) before the reaper would have freed it");
        JsonPath task = Api.task(run, "A");
        assertEquals(List.of("LOST", "SUCCEEDED"), task.getList("attempts.outcome"),
                "the orphaned attempt ended LOST and the task ran again, though max_attempts is 1");
        assertEquals("handed back: claimed by worker " + worker.id() + " in a claim whose reply was lost",
                task.getString("attempts[0].error"));
    }
}
