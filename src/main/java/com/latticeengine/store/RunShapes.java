package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads a run's shape (projects and links) for the run page's graph; not on the engine's hot path. */
@ApplicationScoped
public class RunShapes {

    private static final String NODES = "SELECT name, layer FROM task WHERE run_id = ? ORDER BY position";
    private static final String LINKS = """
            SELECT f.name, t.name, i.relation, i.data_type, i.required
              FROM task t JOIN task_input i ON i.to_task = t.id JOIN task f ON f.id = i.from_task
             WHERE t.run_id = ? ORDER BY t.position, i.position
            """;

    private final AgroalDataSource dataSource;

    public RunShapes(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Empty when the run does not exist (every run has at least one task). */
    public Optional<RunShape> of(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<RunShape.Node> nodes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(NODES)) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        nodes.add(new RunShape.Node(rs.getString(1), rs.getInt(2)));
                    }
                }
            }
            if (nodes.isEmpty()) {
                return Optional.empty();
            }
            List<RunShape.Link> links = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(LINKS)) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        links.add(new RunShape.Link(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getBoolean(5)));
                    }
                }
            }
            return Optional.of(new RunShape(List.copyOf(nodes), List.copyOf(links)));
        }
    }
}
