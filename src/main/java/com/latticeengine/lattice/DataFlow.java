package com.latticeengine.lattice;

public record DataFlow(String fromProject, String toProject, String dataType, boolean required) {
}
