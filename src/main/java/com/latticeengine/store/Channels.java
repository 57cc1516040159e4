package com.latticeengine.store;

/** LISTEN/NOTIFY channel names shared by the statements that notify and the listener. */
public final class Channels {

    /** Some task became READY. */
    public static final String READY = "lattice_ready";

    /** A run or one of its tasks changed state; the payload is the run id. Sent by the run_event triggers. */
    public static final String EVENTS = "lattice_events";

    private Channels() {
    }

    /** The statement that subscribes a connection to {@code channel} (one of the names above). */
    public static String listen(String channel) {
        return "LISTEN " + channel;
    }
}
