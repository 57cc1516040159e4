package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import com.latticeengine.support.WorkerDisabledProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox triggers of V17 and the sender's claim, on real Postgres, each scenario in one
 * transaction that is rolled back. Function calls are counted with track_functions (the test
 * connects as a superuser), so "no extra work" for runs without a callback is measured, not assumed.
 * No sender runs (worker disabled), so the claims here are the only ones.
 */
@QuarkusTest
@TestProfile(WorkerDisabledProfile.class)
class WebhookOutboxTest {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    DeliveryStore deliveries;

    @Test
    void claimAndCompletionOfARunWithoutCallbackCallNoWebhookFunction() throws SQLException {
        try (Connection c = transaction()) {
            Map<String, Long> before = functionCalls(c);
            UUID run = insertRun(c, null, null, 50);
            exec(c, "UPDATE task SET state = 'RUNNING', attempt = 1 WHERE run_id = ?", run);
            exec(c, "UPDATE task SET state = 'SUCCEEDED' WHERE run_id = ?", run);
            exec(c, "UPDATE run SET state = 'SUCCEEDED', finished_at = now() WHERE id = ?", run);
            Map<String, Long> calls = callsSince(c, before);
            assertEquals(null, calls.get("enqueue_run_webhook"), calls.toString());
            assertEquals(null, calls.get("enqueue_review_webhook"), calls.toString());
            // the V14 event trigger still runs once per statement, not per task
            assertEquals(2L, calls.get("record_changed_tasks"), calls.toString());
            assertEquals(0, count(c, "SELECT count(*) FROM webhook_delivery WHERE run_id = ?", run));
            c.rollback();
        }
    }

    @Test
    void eachSubscribedStateChangeWritesOneDeliveryInItsTransaction() throws SQLException {
        try (Connection c = transaction()) {
            Map<String, Long> before = functionCalls(c);
            UUID run = insertRun(c, "http://127.0.0.1:9/hook", new String[] {"run.finished", "run.paused",
                    "task.awaiting_review"}, 3);
            exec(c, "UPDATE task SET state = 'RUNNING', attempt = 1 WHERE run_id = ?", run);
            exec(c, "UPDATE run SET state = 'PAUSED', paused_reason = 'budget' WHERE id = ?", run);
            exec(c, "UPDATE run SET state = 'PAUSED', paused_reason = 'budget' WHERE id = ?", run);
            exec(c, "UPDATE run SET state = 'PAUSED', paused_reason = 'operator' WHERE id = ?", run);
            exec(c, "UPDATE run SET state = 'RUNNING', paused_reason = NULL WHERE id = ?", run);
            exec(c, "UPDATE run SET state = 'CANCELLED', finished_at = now() WHERE id = ?", run);
            assertEquals(List.of("run.paused PAUSED budget", "run.paused PAUSED operator", "run.finished CANCELLED null"),
                    events(c, run));
            assertEquals(3L, callsSince(c, before).get("enqueue_run_webhook"));
            c.rollback();
        }
    }

    @Test
    void aTaskEnteringAwaitingReviewWritesADeliveryNamingIt() throws SQLException {
        try (Connection c = transaction()) {
            UUID run = insertRun(c, "http://127.0.0.1:9/hook", new String[] {"task.awaiting_review"}, 3);
            UUID other = insertRun(c, "http://127.0.0.1:9/hook", new String[] {"run.finished"}, 3);
            exec(c, "UPDATE task SET state = 'AWAITING_REVIEW' WHERE run_id = ? AND name = 't1'", run);
            exec(c, "UPDATE task SET state = 'AWAITING_REVIEW' WHERE run_id = ? AND name = 't1'", other);
            assertEquals(List.of("task.awaiting_review RUNNING null t1"), eventsWithTask(c, run));
            assertEquals(0, count(c, "SELECT count(*) FROM webhook_delivery WHERE run_id = ?", other));
            // A call in flight when the run was paused finishes into review: the delivery says why it is paused.
            exec(c, "UPDATE run SET state = 'PAUSED', paused_reason = 'operator' WHERE id = ?", run);
            exec(c, "UPDATE task SET state = 'AWAITING_REVIEW' WHERE run_id = ? AND name = 't2'", run);
            assertEquals(List.of("task.awaiting_review RUNNING null t1", "task.awaiting_review PAUSED operator t2"),
                    eventsWithTask(c, run));
            c.rollback();
        }
    }

    @Test
    void aClaimedDeliveryIsInvisibleToOtherSendersUntilItsLeaseLapses() throws Exception {
        UUID run = UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            insertRun(c, run, "http://127.0.0.1:9/hook", new String[] {"run.finished"}, 1);
            exec(c, "UPDATE run SET state = 'SUCCEEDED', finished_at = now() WHERE id = ?", run);
        }
        try {
            List<DeliveryStore.Claimed> first = mine(deliveries.claimDue(100, Duration.ofMillis(800), "a"), run);
            assertEquals(1, first.size());
            assertEquals(1, first.get(0).attempt());
            assertEquals(List.of(), mine(deliveries.claimDue(100, Duration.ofSeconds(30), "b"), run), "leased to a");
            Thread.sleep(1_000);
            List<DeliveryStore.Claimed> second = mine(deliveries.claimDue(100, Duration.ofSeconds(30), "b"), run);
            assertEquals(1, second.size(), "a's lease lapsed, so b takes the delivery over");
            assertEquals(2, second.get(0).attempt());
            assertEquals(first.get(0).id(), second.get(0).id());
            assertEquals("fixed by a", deliveries.fixBody(first.get(0).id(), "fixed by a"));
            assertEquals("fixed by a", deliveries.fixBody(second.get(0).id(), "b's own"), "the first body stays");
            assertEquals(Optional.of("PENDING"), deliveries.recordFailure(second.get(0), 503, "HTTP 503",
                    Duration.ofMinutes(5), Duration.ofHours(1)), "within max-age: retried later");
            DeliveryStore.Delivery pending = deliveries.ofRun(run).get(0);
            assertEquals(503, pending.lastStatusCode());
            assertTrue(pending.nextAttemptAt().isAfter(java.time.Instant.now().plusSeconds(240)), "about 5 min away");
            assertEquals(Optional.empty(), deliveries.recordFailure(first.get(0), 500, "HTTP 500", Duration.ZERO,
                    Duration.ofHours(1)), "a's stale claim cannot reschedule b's attempt");
            assertEquals(Optional.of("FAILED"), deliveries.recordFailure(second.get(0), 500, "HTTP 500", Duration.ZERO,
                    Duration.ZERO));
            DeliveryStore.Delivery failed = deliveries.ofRun(run).get(0);
            assertEquals("FAILED", failed.status(), "past max-age: given up");
            assertEquals(500, failed.lastStatusCode());
            assertEquals(null, failed.nextAttemptAt());
        } finally {
            try (Connection c = dataSource.getConnection()) {
                exec(c, "DELETE FROM run WHERE id = ?", run);
            }
        }
    }

    private static List<DeliveryStore.Claimed> mine(List<DeliveryStore.Claimed> claimed, UUID run) {
        return claimed.stream().filter(d -> d.runId().equals(run)).toList();
    }

    private Connection transaction() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL track_functions = 'pl'");
        }
        return c;
    }

    private static UUID insertRun(Connection c, String url, String[] events, int tasks) throws SQLException {
        UUID run = UUID.randomUUID();
        insertRun(c, run, url, events, tasks);
        return run;
    }

    private static void insertRun(Connection c, UUID run, String url, String[] events, int tasks) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO run (id, state, requirements, processor, max_attempts, task_timeout_ms, task_count,
                                 callback_url, callback_events)
                VALUES (?, 'RUNNING', 'r', 'simulated', 1, 60000, ?, ?, ?)""")) {
            ps.setObject(1, run);
            ps.setInt(2, tasks);
            ps.setString(3, url);
            ps.setArray(4, events == null ? null : c.createArrayOf("text", events));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO task (run_id, name, position, layer, project, state, remaining_inputs, max_attempt)
                SELECT ?, 't' || i, i, 1, '{}', 'READY', 0, 1 FROM generate_series(1, ?) i""")) {
            ps.setObject(1, run);
            ps.setInt(2, tasks);
            ps.executeUpdate();
        }
    }

    private static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }

    private static long count(Connection c, String sql, UUID run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Calls per PL/pgSQL function since {@code before}, in this transaction. The view alone is not
     * enough: a pooled connection's backend holds earlier transactions' calls in it until it flushes
     * its statistics (between transactions, at most once a second), so the previous test's calls
     * could show up here.
     */
    private static Map<String, Long> callsSince(Connection c, Map<String, Long> before) throws SQLException {
        Map<String, Long> calls = new TreeMap<>();
        functionCalls(c).forEach((name, n) -> {
            long made = n - before.getOrDefault(name, 0L);
            if (made > 0) {
                calls.put(name, made);
            }
        });
        return calls;
    }

    /** Calls per PL/pgSQL function that pg_stat_xact_user_functions holds for this backend. */
    private static Map<String, Long> functionCalls(Connection c) throws SQLException {
        Map<String, Long> calls = new TreeMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT funcname, calls FROM pg_stat_xact_user_functions")) {
            while (rs.next()) {
                calls.put(rs.getString(1), rs.getLong(2));
            }
        }
        return calls;
    }

    private static List<String> events(Connection c, UUID run) throws SQLException {
        return rows(c, "SELECT event || ' ' || run_state || ' ' || coalesce(paused_reason, 'null') FROM webhook_delivery"
                + " WHERE run_id = ? ORDER BY occurred_at, ctid", run);
    }

    private static List<String> eventsWithTask(Connection c, UUID run) throws SQLException {
        return rows(c, "SELECT event || ' ' || run_state || ' ' || coalesce(paused_reason, 'null') || ' ' || task_name"
                + " FROM webhook_delivery WHERE run_id = ? ORDER BY occurred_at, ctid", run);
    }

    private static List<String> rows(Connection c, String sql, UUID run) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }
}
