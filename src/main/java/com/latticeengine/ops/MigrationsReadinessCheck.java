package com.latticeengine.ops;

import jakarta.enterprise.context.ApplicationScoped;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Arrays;

/**
 * Readiness: every migration this build ships is applied and none failed (read from
 * flyway_schema_history through Flyway's own bookkeeping). Database reachability is the separate
 * datasource check Quarkus registers (quarkus.datasource.health.enabled, on by default).
 * Once the schema is found current it stays current for this process (a newer build only adds
 * migrations this one does not know), so later probes cost no query.
 */
@Readiness
@ApplicationScoped
public class MigrationsReadinessCheck implements HealthCheck {

    static final String NAME = "lattice-schema-migrations";

    private final Flyway flyway;
    private volatile String currentVersion;

    public MigrationsReadinessCheck(Flyway flyway) {
        this.flyway = flyway;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        if (currentVersion != null) {
            return response.up().withData("schema_version", currentVersion).build();
        }
        try {
            MigrationInfoService info = flyway.info();
            MigrationInfo current = info.current();
            String version = current == null || current.getVersion() == null ? "none" : current.getVersion().toString();
            int pending = info.pending().length;
            long failed = Arrays.stream(info.all()).filter(m -> m.getState().isFailed()).count();
            response.withData("schema_version", version).withData("pending", pending).withData("failed", failed);
            if (pending == 0 && failed == 0 && current != null) {
                currentVersion = version;
                return response.up().build();
            }
            return response.down().build();
        } catch (RuntimeException e) {
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
