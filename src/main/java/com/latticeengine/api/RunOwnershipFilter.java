package com.latticeengine.api;

import com.latticeengine.api.auth.Caller;
import com.latticeengine.api.auth.CallerContext;
import com.latticeengine.store.RunQueries;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * Another tenant's run does not exist for the caller: every endpoint under /api/runs/{id}
 * (views, tasks, events, cancel, rerun and any added later) answers the same 404 as for an
 * unknown run before the resource runs. Runs here after matching, on the resource's worker
 * thread, because it reads the run's tenant from the database.
 */
public class RunOwnershipFilter {

    private final CallerContext context;
    private final RunQueries queries;

    public RunOwnershipFilter(CallerContext context, RunQueries queries) {
        this.context = context;
        this.queries = queries;
    }

    @ServerRequestFilter
    public Response hideOtherTenantsRuns(ContainerRequestContext request) throws SQLException {
        String path = request.getUriInfo().getPath();
        String id = request.getUriInfo().getPathParameters().getFirst("id");
        if (id == null || !path.startsWith("/api/runs/")) {
            return null;
        }
        Caller caller = context.caller();
        if (caller.seesAllTenants()) {
            return null;
        }
        UUID runId;
        try {
            runId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null; // the resource answers 404 for a malformed id
        }
        Optional<String> tenant = queries.tenantOf(runId);
        if (tenant.isEmpty() || caller.owns(tenant.get())) {
            return null;
        }
        return Problem.response(404, "Not Found", "no run " + runId, null);
    }
}
