package com.latticeengine.api;

import com.latticeengine.store.DeliveryStore;
import com.latticeengine.store.RunQueries;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/** A run's webhook deliveries (its callback's outbox rows), oldest event first. */
@Path("/api/runs/{id}/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs")
public class DeliveriesResource {

    private final DeliveryStore deliveries;
    private final RunQueries queries;

    public DeliveriesResource(DeliveryStore deliveries, RunQueries queries) {
        this.deliveries = deliveries;
        this.queries = queries;
    }

    @GET
    @Operation(summary = "The run's webhook deliveries: event, status, attempts, last error, next attempt")
    public List<DeliveryView> list(@PathParam("id") String id) throws SQLException {
        UUID runId;
        try {
            runId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no run " + id + " (run ids are UUIDs)");
        }
        if (queries.tenantOf(runId).isEmpty()) {
            throw ProblemException.notFound("no run " + runId);
        }
        return deliveries.ofRun(runId).stream().map(d -> new DeliveryView(d.id(), d.event(), d.taskName(), d.runState(),
                d.pausedReason(), d.status(), d.attempts(), d.sender(), d.lastStatusCode(), d.lastError(), d.occurredAt(),
                d.nextAttemptAt(), d.finishedAt())).toList();
    }
}
