package com.latticeengine.lattice;

/** One input link of a project; a parent link has a null dataType and is always required. */
public record Input(String fromProject, Relation relation, String dataType, boolean required) {
    public static Input parent(String parentName) {
        return new Input(parentName, Relation.PARENT, null, true);
    }

    public static Input of(DataFlow flow) {
        return new Input(flow.fromProject(), Relation.DATA_FLOW, flow.dataType(), flow.required());
    }
}
