package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * The name this replica writes into the rows it claims. A restarted pod gets a new suffix, so a
 * zombie of the previous process can never pass the fence of a task claimed by the new one.
 */
@ApplicationScoped
public class WorkerIdentity {

    private final String id;

    public WorkerIdentity(LatticeConfig config) {
        this.id = config.worker().id().orElseGet(() -> hostName() + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public String id() {
        return id;
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "worker";
        }
    }
}
