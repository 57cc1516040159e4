package com.latticeengine.lattice;

/** Something in a valid lattice that is probably unintended; the run starts all the same. */
public record Warning(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
