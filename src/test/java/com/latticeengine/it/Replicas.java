package com.latticeengine.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The replicas one test started; {@link #close()} (from an {@code @AfterEach}) ends all that still run. */
public final class Replicas implements AutoCloseable {

    private final List<ReplicaProcess> started = new ArrayList<>();

    public synchronized ReplicaProcess start(String name, Map<String, String> extraProps) {
        ReplicaProcess replica = ReplicaProcess.start(name, extraProps);
        started.add(replica);
        return replica;
    }

    public ReplicaProcess start(String name) {
        return start(name, Map.of());
    }

    /** Waits for every started replica that is meant to be running. */
    public void awaitReady(ReplicaProcess... replicas) {
        for (ReplicaProcess replica : replicas) {
            replica.waitUntilReady();
        }
    }

    public synchronized List<ReplicaProcess> all() {
        return List.copyOf(started);
    }

    @Override
    public synchronized void close() {
        for (ReplicaProcess replica : started) {
            replica.destroy();
        }
        started.clear();
    }
}
