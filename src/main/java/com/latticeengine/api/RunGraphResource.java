package com.latticeengine.api;

import com.latticeengine.layout.RunLayout;
import com.latticeengine.layout.RunLayouts;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.UUID;

/** A run's laid-out graph for drawing; states are not in it (they come from the run and its events). */
@Path("/api/runs/{id}/graph")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs")
public class RunGraphResource {

    private final RunLayouts layouts;

    public RunGraphResource(RunLayouts layouts) {
        this.layouts = layouts;
    }

    @GET
    @Operation(summary = "A run's graph laid out in rows: node positions and edge bend points",
            description = "Computed once per run (its shape never changes), so clients may cache it.")
    public Response graph(@PathParam("id") String id) throws SQLException {
        UUID runId;
        try {
            runId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no run " + id + " (run ids are UUIDs)");
        }
        RunLayout layout = layouts.of(runId).orElseThrow(() -> ProblemException.notFound("no run " + runId));
        CacheControl cache = new CacheControl();
        cache.setPrivate(true);
        cache.setMaxAge(3600);
        return Response.ok(layout).cacheControl(cache).build();
    }
}
