package com.latticeengine.lattice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Projects and data flows; {@code metadata} keeps every other top-level key of the lattice
 * document as written (ODRAS's analysis_summary, confidence, domains...), never interpreted.
 */
public record Lattice(List<Project> projects, List<DataFlow> dataFlows, Map<String, Object> metadata) {
    public Lattice {
        // Not List.copyOf: that rejects null elements, which the validator must be able to report.
        projects = projects == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(projects));
        dataFlows = dataFlows == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(dataFlows));
        metadata = Collections.unmodifiableMap(metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata));
    }

    public Lattice(List<Project> projects, List<DataFlow> dataFlows) {
        this(projects, dataFlows, null);
    }
}
