package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads a run's event log in commit-safe order; see V3__run_events.sql for why it never skips one. */
@ApplicationScoped
public class EventStore {

    /**
     * A position in a run's log: the last event read is task number {@code index} (1-based; 0 for
     * a run event) of the row (transaction, id), as a statement records all the tasks it moved in
     * one row (V7__run_events_per_statement.sql).
     */
    public record Cursor(String tx, long id, int index) {

        public static final Cursor START = new Cursor("0", 0, 0);

        @Override
        public String toString() {
            return tx + "-" + id + "-" + index;
        }

        /**
         * Parses an SSE Last-Event-ID; empty when it is not one of ours. An id from before V7
         * ("tx-id") named a row of one event, so it resumes after that whole row.
         */
        public static Optional<Cursor> parse(String value) {
            if (value == null) {
                return Optional.empty();
            }
            String[] parts = value.trim().split("-");
            try {
                if (parts.length < 2 || parts.length > 3) {
                    return Optional.empty();
                }
                String tx = String.valueOf(Long.parseUnsignedLong(parts[0]));
                int index = parts.length == 3 ? Integer.parseInt(parts[2]) : Integer.MAX_VALUE;
                return Optional.of(new Cursor(tx, Long.parseLong(parts[1]), index));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * The row condition (tx, id) >= cursor lets the primary key skip the rows already read; the
     * second one drops the tasks of the cursor's own row up to its index.
     * Params: run id, cursor tx, id, tx, id, index, limit.
     */
    private static final String AFTER = """
            SELECT e.tx::text, e.id, coalesce(t.n, 0)::int AS n, t.name, e.state, t.attempt, e.worker_id, e.created_at,
                   e.review_decision
              FROM run_event e
              LEFT JOIN LATERAL unnest(e.task_names, e.attempts) WITH ORDINALITY AS t(name, attempt, n) ON true
             WHERE e.run_id = ? AND (e.tx, e.id) >= (?::xid8, ?)
               AND (e.tx, e.id, coalesce(t.n, 0)) > (?::xid8, ?, ?)
               AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY e.tx, e.id, n
             LIMIT ?
            """;

    private final AgroalDataSource dataSource;

    public EventStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Events after {@code cursor} whose transactions, and all older ones, have ended. */
    public List<RunEvent> after(UUID runId, Cursor cursor, int limit) throws SQLException {
        List<RunEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(AFTER)) {
            ps.setObject(1, runId);
            ps.setString(2, cursor.tx());
            ps.setLong(3, cursor.id());
            ps.setString(4, cursor.tx());
            ps.setLong(5, cursor.id());
            ps.setInt(6, cursor.index());
            ps.setInt(7, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Cursor at = new Cursor(rs.getString(1), rs.getLong(2), rs.getInt(3));
                    events.add(new RunEvent(at.toString(), rs.getString(4), rs.getString(5),
                            rs.getObject(6, Integer.class), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                            rs.getString(9)));
                }
            }
        }
        return events;
    }
}
