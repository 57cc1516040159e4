package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/**
 * Task counts and usage for a page of runs in two queries, so a run listing can show progress
 * without one request per run.
 */
@ApplicationScoped
public class RunTotals {

    private static final String COUNTS = """
            SELECT run_id, state, count(*) FROM task WHERE run_id = ANY(?) GROUP BY run_id, state
            """;
    private static final String USAGE = """
            SELECT t.run_id, count(a.model), count(*) FILTER (WHERE a.cached), coalesce(sum(a.input_tokens), 0),
                   coalesce(sum(a.output_tokens), 0), sum(a.cost_usd)
              FROM task_attempt a JOIN task t ON t.id = a.task_id
             WHERE t.run_id = ANY(?) GROUP BY t.run_id
            """;

    /** Counts by task state (every state present, zeros included) and usage totals. */
    public record Totals(Map<TaskState, Integer> counts, RunRecord.Usage usage) {
    }

    private final AgroalDataSource dataSource;

    public RunTotals(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Map<UUID, Totals> of(Collection<UUID> runIds) throws SQLException {
        Map<UUID, Map<TaskState, Integer>> counts = new HashMap<>();
        Map<UUID, RunRecord.Usage> usage = new HashMap<>();
        if (runIds.isEmpty()) {
            return Map.of();
        }
        try (Connection c = dataSource.getConnection()) {
            Array ids = c.createArrayOf("uuid", runIds.toArray());
            try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.computeIfAbsent(rs.getObject(1, UUID.class), id -> zeroCounts())
                                .put(TaskState.valueOf(rs.getString(2)), rs.getInt(3));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(USAGE)) {
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        usage.put(rs.getObject(1, UUID.class), new RunRecord.Usage(rs.getLong(2), rs.getLong(3),
                                rs.getLong(4), rs.getLong(5), rs.getBigDecimal(6)));
                    }
                }
            }
        }
        Map<UUID, Totals> totals = new HashMap<>();
        for (UUID id : runIds) {
            totals.put(id, new Totals(counts.getOrDefault(id, zeroCounts()),
                    usage.getOrDefault(id, new RunRecord.Usage(0, 0, 0, 0, null))));
        }
        return totals;
    }

    private static Map<TaskState, Integer> zeroCounts() {
        Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
        for (TaskState state : TaskState.values()) {
            counts.put(state, 0);
        }
        return counts;
    }
}
