package com.latticeengine.lattice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public record Lattice(List<Project> projects, List<DataFlow> dataFlows) {
    public Lattice {
        // Not List.copyOf: that rejects null elements, which the validator must be able to report.
        projects = projects == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(projects));
        dataFlows = dataFlows == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(dataFlows));
    }
}
