package com.latticeengine.lattice;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One lattice node; {@code fields} keeps every JSON field as submitted, extras included. */
public record Project(String name, Integer layer, String parentName, Map<String, Object> fields) {
    public Project {
        // LinkedHashMap rather than Map.copyOf: JSON null values must survive and order matters.
        fields = Collections.unmodifiableMap(fields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(fields));
    }
}
