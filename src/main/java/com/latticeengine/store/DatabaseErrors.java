package com.latticeengine.store;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Tells a lost or unavailable database apart from every other database error, by SQLState
 * class: 08 (connection exception), 53 (insufficient resources: too many connections, disk
 * full) and 57P (operator intervention: the server shuts down, restarts or cannot connect
 * yet). The first are worth waiting out and retrying; anything else (a constraint, a syntax
 * error, a bad cast) is a bug or bad data and retrying it changes nothing.
 */
public final class DatabaseErrors {

    /**
     * The pool's own timeout carries no SQLState: nothing answered within the acquisition
     * timeout, which is what a partitioned or overloaded server looks like from here.
     */
    private static final String POOL_TIMEOUT = "acquisition timeout";

    private DatabaseErrors() {
    }

    public static boolean isConnectionLoss(SQLException e) {
        return isConnectionLoss((Throwable) e);
    }

    /**
     * True when {@code e}, any of its causes or any chained SQLException says the connection
     * is lost or the server unavailable; the transaction manager and Hibernate wrap them.
     */
    public static boolean isConnectionLoss(Throwable e) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = e; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null && (s == sql || seen.put(s, true) == null); s = s.getNextException()) {
                    if (isConnectionLossState(s.getSQLState()) || isPoolTimeout(s)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * A serialization failure (40001) or a deadlock (40P01): Postgres rolled the transaction back
     * to let another one through, and running it again from the start is expected to succeed.
     */
    public static boolean isConflict(Throwable e) {
        SQLException sql = firstSqlException(e);
        return sql != null && ("40001".equals(sql.getSQLState()) || "40P01".equals(sql.getSQLState()));
    }

    /** SQLState and message of the driver's exception, for a log line (never for a client). */
    public static String describe(Throwable e) {
        SQLException sql = firstSqlException(e);
        return sql == null ? e.getClass().getSimpleName() : "SQLState " + sql.getSQLState() + ": " + sql.getMessage();
    }

    private static SQLException firstSqlException(Throwable e) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = e; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    /** SQLState classes 08, 53 and 57P. */
    public static boolean isConnectionLossState(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("53") || sqlState.startsWith("57P"));
    }

    private static boolean isPoolTimeout(SQLException e) {
        return e.getSQLState() == null && e.getMessage() != null && e.getMessage().toLowerCase().contains(POOL_TIMEOUT);
    }
}
