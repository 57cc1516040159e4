package com.latticeengine.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Plain JDBC against the database the replicas use: {@code LATTICE_TEST_DB_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/lattice_test}), user {@code LATTICE_DB_USER} (default
 * postgres), password {@code LATTICE_DB_PASSWORD} (default none). Every call opens its own
 * connection, so a database restart only fails the calls made while it is down.
 */
public final class Db {

    private Db() {
    }

    public static String url() {
        return env("LATTICE_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/lattice_test");
    }

    public static String user() {
        return env("LATTICE_DB_USER", "postgres");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public static Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user());
        String password = System.getenv("LATTICE_DB_PASSWORD");
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        props.setProperty("ApplicationName", "lattice-it");
        return DriverManager.getConnection(url(), props);
    }

    /** True once Flyway has created the schema (a replica has started against this database). */
    public static boolean schemaExists() {
        return scalar("SELECT to_regclass('public.run') IS NOT NULL") instanceof Boolean b && b;
    }

    /**
     * Empties every engine table (everything referencing run goes with it). Idle replicas still
     * poll, and a claim locks task before run while TRUNCATE locks run first, so Postgres may
     * pick the TRUNCATE as a deadlock victim: it is simply tried again.
     */
    public static void truncate() {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("TRUNCATE run CASCADE")) {
                ps.executeUpdate();
                return;
            } catch (SQLException e) {
                if (!"40P01".equals(e.getSQLState()) || attempt == 10) {
                    throw new IllegalStateException("TRUNCATE run CASCADE failed: " + e.getMessage(), e);
                }
                System.out.println("[it] TRUNCATE chosen as deadlock victim, trying again");
            }
        }
    }

    /**
     * Called before the first replica starts so it finds no stale work of an earlier, aborted
     * test; a database Flyway has not set up yet is empty anyway.
     */
    public static void truncateIfSchemaExists() {
        if (schemaExists()) {
            truncate();
        }
    }

    /**
     * Waits until the database has no session left of the named application (replicas name their
     * sessions after themselves). After a SIGKILL this is the moment from which nothing the dead
     * process sent can still commit: an autocommit statement already running completes first.
     */
    public static void awaitSessionsGone(String applicationName, java.time.Duration timeout) {
        Await.untilTrue("database sessions of " + applicationName + " to end", timeout, 50,
                () -> count("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", applicationName) == 0);
    }

    public static int update(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    public static List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, params);
             ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** First column of the first row, or null when there is no row. */
    public static Object scalar(String sql, Object... params) {
        List<Map<String, Object>> rows = rows(sql, params);
        return rows.isEmpty() ? null : rows.get(0).values().iterator().next();
    }

    public static long count(String sql, Object... params) {
        Object value = scalar(sql, params);
        return value == null ? 0 : ((Number) value).longValue();
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }
}
