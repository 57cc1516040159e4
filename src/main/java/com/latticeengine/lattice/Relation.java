package com.latticeengine.lattice;

public enum Relation {
    PARENT("parent"),
    DATA_FLOW("data_flow");

    private final String wireName;

    Relation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
