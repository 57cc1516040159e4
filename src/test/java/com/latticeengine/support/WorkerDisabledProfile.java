package com.latticeengine.support;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** No background worker, reaper, heartbeat or webhook sender: the test drives the store by hand, deterministically. */
public class WorkerDisabledProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lattice.worker.enabled", "false");
    }
}
