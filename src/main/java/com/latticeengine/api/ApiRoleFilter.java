package com.latticeengine.api;

import com.latticeengine.config.LatticeConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * On a worker-only replica (lattice.api.enabled=false) every /api/* request answers 404
 * problem+json before any resource runs, so a misrouted request cannot submit or read runs there.
 */
public class ApiRoleFilter {

    private final boolean enabled;

    public ApiRoleFilter(LatticeConfig config) {
        this.enabled = config.api().enabled();
    }

    @ServerRequestFilter(preMatching = true)
    public Response rejectWhenDisabled(ContainerRequestContext request) {
        if (enabled) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        if (!path.equals("/api") && !path.startsWith("/api/")) {
            return null;
        }
        return Problem.response(404, "Not Found",
                "the API is disabled on this replica (lattice.api.enabled=false)", null);
    }
}
