package com.latticeengine.store;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

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

    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

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
     * {"42": {"attempt": 1, "output": ..., "usage": {...}}, ...}, "usage" only where the call
     * reported some. Outputs are already JSON text (a processor's serialized output or a stored
     * one), so they are copied in as they are.
     */
    static String resultsById(List<TaskStore.Success> successes) {
        StringBuilder json = new StringBuilder(64 * successes.size() + 2).append('{');
        for (TaskStore.Success s : successes) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(s.taskId()).append("\":{\"attempt\":").append(s.attempt())
                    .append(",\"output\":").append(s.outputJson());
            if (s.reviewReason() != null) {
                json.append(",\"review\":\"");
                STRINGS.quoteAsString(s.reviewReason(), json);
                json.append('"');
            }
            appendUsage(json, s.usage());
            json.append('}');
        }
        return json.append('}').toString();
    }

    private static void appendUsage(StringBuilder json, AttemptUsage usage) {
        if (usage.equals(AttemptUsage.NONE)) {
            return;
        }
        json.append(",\"usage\":{\"cached\":").append(usage.cached());
        if (usage.model() != null) {
            json.append(",\"model\":\"");
            STRINGS.quoteAsString(usage.model(), json);
            json.append('"');
        }
        appendNumber(json, "input_tokens", usage.inputTokens());
        appendNumber(json, "output_tokens", usage.outputTokens());
        appendNumber(json, "latency_ms", usage.latencyMs());
        appendNumber(json, "calls", usage.calls() == null ? null : usage.calls().longValue());
        if (usage.costUsd() != null && Double.isFinite(usage.costUsd())) {
            json.append(",\"cost_usd\":").append(usage.costUsd());
        }
        json.append('}');
    }

    private static void appendNumber(StringBuilder json, String name, Long value) {
        if (value != null) {
            json.append(",\"").append(name).append("\":").append(value);
        }
    }
}
