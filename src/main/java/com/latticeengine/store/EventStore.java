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

    /** A position in a run's log: the (transaction, id) of the last event read. */
    public record Cursor(String tx, long id) {

        public static final Cursor START = new Cursor("0", 0);

        @Override
        public String toString() {
            return tx + "-" + id;
        }

        /** Parses an SSE Last-Event-ID; empty when it is not one of ours. */
        public static Optional<Cursor> parse(String value) {
            if (value == null) {
                return Optional.empty();
            }
            String[] parts = value.trim().split("-");
            try {
                return parts.length == 2
                        ? Optional.of(new Cursor(String.valueOf(Long.parseUnsignedLong(parts[0])), Long.parseLong(parts[1])))
                        : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    private static final String AFTER = """
            SELECT tx::text, id, task_name, state, attempt, worker_id, created_at
              FROM run_event
             WHERE run_id = ? AND (tx, id) > (?::xid8, ?)
               AND tx < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY tx, id
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
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(new RunEvent(rs.getString(1) + "-" + rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getObject(5, Integer.class), rs.getString(6), rs.getObject(7, OffsetDateTime.class)));
                }
            }
        }
        return events;
    }
}
