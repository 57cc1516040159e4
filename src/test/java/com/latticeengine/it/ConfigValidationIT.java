package com.latticeengine.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged application refuses to start with an invalid engine configuration and says why. */
class ConfigValidationIT {

    @Test
    void aReplicaWithZeroSlotsAndAHeartbeatLongerThanItsLeaseExitsNamingBothProperties() {
        try (ReplicaProcess replica = ReplicaProcess.start("bad-config", Map.of("lattice.worker.concurrency", "0",
                "lattice.worker.lease", "3s", "lattice.worker.heartbeat", "10s"))) {
            OptionalInt exit = replica.awaitExit(Duration.ofSeconds(90));
            assertTrue(exit.isPresent(), "the replica is still running with an invalid configuration");
            assertTrue(exit.getAsInt() != 0, "exit code " + exit.getAsInt());
            String log = replica.logText();
            assertTrue(log.contains("lattice.worker.concurrency must be at least 1 (is 0)"), replica.logTail(40));
            assertTrue(log.contains("lattice.worker.heartbeat (PT10S) must be shorter than lattice.worker.lease (PT3S)"),
                    replica.logTail(40));
        }
    }
}
