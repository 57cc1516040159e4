package com.latticeengine.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

/** Array parameters for the set-based statements: one statement per batch, never one per row. */
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
}
