package com.latticeengine.ops;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A short liveness timeout, so a claimer stuck for a few seconds shows as DOWN. */
public class StuckPollerProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lattice.health.liveness-timeout", "3s", "lattice.worker.poll-interval", "1s");
    }
}
