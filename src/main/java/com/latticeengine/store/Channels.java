package com.latticeengine.store;

/** LISTEN/NOTIFY channel names shared by the statements that notify and the listener. */
public final class Channels {

    /** Some task became READY. */
    public static final String READY = "lattice_ready";

    private Channels() {
    }
}
