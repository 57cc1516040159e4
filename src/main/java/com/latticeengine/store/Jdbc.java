package com.latticeengine.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Array and JSON parameters for the set-based statements: one statement per batch, never one
 * per row. Per-task values go in a JSON object keyed by task id, which each row looks up by its
 * own id (see TaskSql.MARK_SUCCEEDED).
 */
final class Jdbc {

    private Jdbc() {
    }

    static Array longs(Connection c, Collection<Long> values) throws SQLException {
        return c.createArrayOf("bigint", values.toArray());
    }

    static Array ints(Connection c, Collection<Integer> values) throws SQLException {
        return c.createArrayOf("integer", values.toArray());
    }

    static Array texts(Connection c, Collection<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
    }

    static Array booleans(Connection c, Collection<Boolean> values) throws SQLException {
        return c.createArrayOf("boolean", values.toArray());
    }

    /** {"42": 1, ...}: the fencing attempt of each task. */
    static String attemptsById(Map<Long, Integer> attempts) {
        StringBuilder json = new StringBuilder(16 * attempts.size() + 2).append('{');
        attempts.forEach((id, attempt) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(id).append("\":").append(attempt);
        });
        return json.append('}').toString();
    }

    /**
     * {"42": {"attempt": 1, "output": ...}, ...}. Outputs are already JSON text (a processor's
     * serialized output or a stored one), so they are copied in as they are.
     */
    static String resultsById(List<TaskStore.Success> successes) {
        StringBuilder json = new StringBuilder(64 * successes.size() + 2).append('{');
        for (TaskStore.Success s : successes) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(s.taskId()).append("\":{\"attempt\":").append(s.attempt())
                    .append(",\"output\":").append(s.outputJson()).append('}');
        }
        return json.append('}').toString();
    }
}
