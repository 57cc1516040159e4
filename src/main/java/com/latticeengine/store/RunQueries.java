package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The read side for the API, in one class: the run list (plain CRUD, through the Panache
 * entity), and a run or task with its counts, inputs and attempts (joins and aggregates, in
 * SQL). It returns plain records; the API maps them to its views. Nothing here is on the
 * engine's hot path.
 */
@ApplicationScoped
public class RunQueries {

    private static final String RUN = """
            SELECT id, state, processor, max_attempts, task_timeout_ms, options::text, created_at, finished_at,
                   coalesce(lattice_metadata::text, '{}'), coalesce(warnings, '[]')::text, tenant, paused_reason
              FROM run WHERE id = ?
            """;
    private static final String SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    private static final String TENANT = "SELECT tenant FROM run WHERE id = ?";
    private static final String COUNTS = "SELECT state, count(*) FROM task WHERE run_id = ? GROUP BY state";
    private static final String TASKS = """
            SELECT id, name, layer, state, remaining_inputs, attempt, started_at, finished_at, priority
              FROM task WHERE run_id = ? AND (?::text IS NULL OR state = ?::text)
             ORDER BY position LIMIT ? OFFSET ?
            """;
    private static final String UPSTREAM = """
            SELECT i.to_task, f.name, f.state
              FROM task_input i JOIN task f ON f.id = i.from_task
             WHERE i.to_task = ANY(?) ORDER BY i.to_task, i.position
            """;
    private static final String TASK = """
            SELECT id, name, layer, state, remaining_inputs, project::text, output::text, error,
                   ready_at, started_at, finished_at, priority
              FROM task WHERE run_id = ? AND name = ?
            """;
    private static final String ATTEMPTS = """
            SELECT attempt, worker_id, started_at, finished_at, outcome, error, cached, model, input_tokens,
                   output_tokens, latency_ms, cost_usd, coalesce(calls, CASE WHEN model IS NOT NULL THEN 1 END),
                   review_reason, review_decision, reviewed_by, reviewed_at, review_comment, edited_output::text
              FROM task_attempt WHERE task_id = ? ORDER BY attempt
            """;
    private static final String USAGE = """
            SELECT coalesce(sum(coalesce(a.calls, CASE WHEN a.model IS NOT NULL THEN 1 END)), 0),
                   count(*) FILTER (WHERE a.cached), coalesce(sum(a.input_tokens), 0),
                   coalesce(sum(a.output_tokens), 0), sum(a.cost_usd)
              FROM task_attempt a JOIN task t ON t.id = a.task_id WHERE t.run_id = ?
            """;

    private final AgroalDataSource dataSource;
    private final TaskStore taskStore;

    public RunQueries(AgroalDataSource dataSource, TaskStore taskStore) {
        this.dataSource = dataSource;
        this.taskStore = taskStore;
    }

    /**
     * Runs newest first, only {@code tenant}'s (every tenant's when null), optionally only those in
     * {@code state}; {@code page} counts from 0.
     */
    public List<RunListItem> runs(String tenant, RunState state, int page, int size) {
        return RunEntity.newestFirst(tenant, state, page, size).stream()
                .map(r -> new RunListItem(r.id, r.tenant, r.state, r.processor, r.taskCount, r.createdAt, r.finishedAt))
                .toList();
    }

    /** The run with its counts and, when {@code withTasks}, every task in submission order. */
    /**
     * One snapshot for the head, the tasks, the counts and the usage. Read statement by statement,
     * a completion committing in between showed its task SUCCEEDED in the counts and the task it
     * released still WAITING in the list.
     */
    @Transactional
    public Optional<RunRecord> run(UUID runId, boolean withTasks) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute(SNAPSHOT);
            }
            RunRecord head;
            try (PreparedStatement ps = c.prepareStatement(RUN)) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    head = new RunRecord(runId, rs.getString(11), RunState.valueOf(rs.getString(2)),
                            PausedReason.fromWire(rs.getString(12)), rs.getString(3), rs.getInt(4),
                            rs.getLong(5), rs.getString(6), rs.getString(9), rs.getString(10),
                            rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class), null, null, null, null);
                }
            }
            List<TaskRow> tasks = withTasks ? tasks(c, runId, null, Integer.MAX_VALUE, 0) : null;
            return Optional.of(new RunRecord(head.id(), head.tenant(), head.state(), head.pausedReason(), head.processor(), head.maxAttempts(),
                    head.taskTimeoutMs(), head.optionsJson(), head.latticeMetadataJson(), head.warningsJson(),
                    head.createdAt(), head.finishedAt(), counts(c, runId),
                    usage(c, runId), tasks, BudgetStore.of(c, runId).orElse(null)));
        }
    }

    /** The tenant a run belongs to; empty for an unknown run. */
    public Optional<String> tenantOf(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(TENANT)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public List<TaskRow> tasks(UUID runId, TaskState state, int limit, int offset) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return tasks(c, runId, state, limit, offset);
        }
    }

    public Optional<TaskRecord> task(UUID runId, String name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long id;
            TaskRecord head;
            try (PreparedStatement ps = c.prepareStatement(TASK)) {
                ps.setObject(1, runId);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    id = rs.getLong(1);
                    head = new TaskRecord(rs.getString(2), rs.getInt(3), TaskState.valueOf(rs.getString(4)),
                            rs.getInt(5), rs.getInt(12), null, null, rs.getString(6), null, rs.getString(7),
                            rs.getString(8), rs.getObject(9, OffsetDateTime.class),
                            rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class), null);
                }
            }
            List<InputRow> inputs = taskStore.inputsOf(List.of(id)).getOrDefault(id, List.of());
            Set<String> upstream = new LinkedHashSet<>();
            Set<String> missing = new LinkedHashSet<>();
            for (InputRow row : inputs) {
                upstream.add(row.fromProject());
                if (row.fromState() != TaskState.SUCCEEDED) {
                    missing.add(row.fromProject());
                }
            }
            return Optional.of(new TaskRecord(head.name(), head.layer(), head.state(), head.remainingInputs(),
                    head.priority(), List.copyOf(upstream), List.copyOf(missing), head.projectJson(), inputs,
                    head.outputJson(),
                    head.error(), head.readyAt(), head.startedAt(), head.finishedAt(), attempts(c, id)));
        }
    }

    private static RunRecord.Usage usage(Connection c, UUID runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(USAGE)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new RunRecord.Usage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getBigDecimal(5));
            }
        }
    }

    private static Map<TaskState, Integer> counts(Connection c, UUID runId) throws SQLException {
        Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
        for (TaskState state : TaskState.values()) {
            counts.put(state, 0);
        }
        try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(TaskState.valueOf(rs.getString(1)), rs.getInt(2));
                }
            }
        }
        return counts;
    }

    private static List<TaskRow> tasks(Connection c, UUID runId, TaskState state, int limit, int offset)
            throws SQLException {
        record Row(long id, String name, int layer, TaskState state, int remaining, int attempts,
                   OffsetDateTime startedAt, OffsetDateTime finishedAt, int priority) {
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(TASKS)) {
            ps.setObject(1, runId);
            ps.setString(2, state == null ? null : state.name());
            ps.setString(3, state == null ? null : state.name());
            ps.setInt(4, limit);
            ps.setInt(5, offset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getInt(3), TaskState.valueOf(rs.getString(4)),
                            rs.getInt(5), rs.getInt(6), rs.getObject(7, OffsetDateTime.class),
                            rs.getObject(8, OffsetDateTime.class), rs.getInt(9)));
                }
            }
        }
        Map<Long, Set<String>> upstream = new HashMap<>();
        Map<Long, Set<String>> missing = new HashMap<>();
        if (!rows.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(UPSTREAM)) {
                ps.setArray(1, Jdbc.longs(c, rows.stream().map(Row::id).toList()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long to = rs.getLong(1);
                        upstream.computeIfAbsent(to, k -> new LinkedHashSet<>()).add(rs.getString(2));
                        if (TaskState.valueOf(rs.getString(3)) != TaskState.SUCCEEDED) {
                            missing.computeIfAbsent(to, k -> new LinkedHashSet<>()).add(rs.getString(2));
                        }
                    }
                }
            }
        }
        return rows.stream().map(r -> new TaskRow(r.name(), r.layer(), r.state(), r.remaining(), r.priority(),
                List.copyOf(upstream.getOrDefault(r.id(), Set.of())),
                List.copyOf(missing.getOrDefault(r.id(), Set.of())), r.attempts(), r.startedAt(),
                r.finishedAt())).toList();
    }

    private static List<AttemptRecord> attempts(Connection c, long taskId) throws SQLException {
        List<AttemptRecord> attempts = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(ATTEMPTS)) {
            ps.setLong(1, taskId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String outcome = rs.getString(5);
                    attempts.add(new AttemptRecord(rs.getInt(1), rs.getString(2),
                            rs.getObject(3, OffsetDateTime.class), rs.getObject(4, OffsetDateTime.class),
                            outcome == null ? null : AttemptOutcome.valueOf(outcome), rs.getString(6), rs.getBoolean(7), rs.getString(8),
                            rs.getObject(9, Long.class), rs.getObject(10, Long.class), rs.getObject(11, Long.class),
                            rs.getBigDecimal(12), rs.getObject(13, Integer.class), review(rs)));
                }
            }
        }
        return attempts;
    }

    /** Columns 14 to 19 of ATTEMPTS; null for an attempt whose output needed no review. */
    private static AttemptRecord.Review review(ResultSet rs) throws SQLException {
        String reason = rs.getString(14);
        return reason == null ? null : new AttemptRecord.Review(reason, rs.getString(15), rs.getString(16),
                rs.getObject(17, OffsetDateTime.class), rs.getString(18), rs.getString(19));
    }
}
