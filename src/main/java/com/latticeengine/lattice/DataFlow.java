package com.latticeengine.lattice;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One data flow; {@code fields} keeps every JSON field as submitted (ODRAS's description, trigger_event...). */
public record DataFlow(String fromProject, String toProject, String dataType, boolean required,
                       Map<String, Object> fields) {
    public DataFlow {
        // LinkedHashMap rather than Map.copyOf: JSON null values must survive and order matters.
        fields = Collections.unmodifiableMap(fields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(fields));
    }

    public DataFlow(String fromProject, String toProject, String dataType, boolean required) {
        this(fromProject, toProject, dataType, required, null);
    }
}
