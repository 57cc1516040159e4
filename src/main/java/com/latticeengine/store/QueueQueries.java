package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** How many tasks wait to be claimed in all runs, for the queue gauges. */
@ApplicationScoped
public class QueueQueries {

    /** Counting stops here so the query stays cheap even with a huge backlog. */
    public static final int COUNT_CAP = 100_000;

    /**
     * Claimable READY tasks (capped) and how long the oldest has been claimable. One arm per
     * ready index (see V5__critical_path_first.sql), so each reads only its index.
     */
    private static final String READY_QUEUE = """
            SELECT least(count(*), %1$d), COALESCE(EXTRACT(EPOCH FROM now() - min(available_at)), 0)
              FROM ((SELECT available_at FROM task
                      WHERE state = 'READY' AND limit_key IS NULL AND available_at <= now() LIMIT %1$d)
                    UNION ALL
                    (SELECT available_at FROM task
                      WHERE state = 'READY' AND limit_key IS NOT NULL AND available_at <= now() LIMIT %1$d)) ready
            """.formatted(COUNT_CAP);

    /** {@code tasks} is at most {@link #COUNT_CAP}; {@code oldestAgeSeconds} is 0 for an empty queue. */
    public record ReadyQueue(long tasks, double oldestAgeSeconds) {
    }

    private final AgroalDataSource dataSource;

    public QueueQueries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public ReadyQueue readyQueue() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(READY_QUEUE);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new ReadyQueue(rs.getLong(1), rs.getDouble(2));
        }
    }
}
