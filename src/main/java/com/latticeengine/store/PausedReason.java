package com.latticeengine.store;

import java.util.Locale;

/** Why a run is PAUSED, as run.paused_reason stores it: by hand, or because its budget ran out. */
public enum PausedReason {
    OPERATOR, BUDGET;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PausedReason fromWire(String value) {
        return value == null ? null : valueOf(value.toUpperCase(Locale.ROOT));
    }
}
