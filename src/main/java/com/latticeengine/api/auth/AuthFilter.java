package com.latticeengine.api.auth;

import com.latticeengine.api.Problem;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Set;

/**
 * Every /api/* request needs credentials (when lattice.auth.enabled): 401 without valid ones,
 * 403 when the role is too low. Reads need viewer, every other method operator, so an endpoint
 * added later is protected without being listed here. /q/* (probes, metrics) and the UI's page
 * shell are outside /api and stay open; the data they show comes from /api.
 */
public class AuthFilter {

    private static final Logger LOG = Logger.getLogger(AuthFilter.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final String REALM = "realm=\"lattice-engine\"";

    private final Authenticator authenticator;
    private final CallerContext context;

    public AuthFilter(Authenticator authenticator, CallerContext context) {
        this.authenticator = authenticator;
        this.context = context;
    }

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION)
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/api") && !path.startsWith("/api/")) {
            return null;
        }
        // The raw path: percent-encoded, so a hostile path cannot forge log lines.
        String target = request.getMethod() + " " + request.getUriInfo().getRequestUri().getRawPath();
        Authenticator.Outcome outcome = authenticator.authenticate(request.getHeaderString("X-API-Key"),
                request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (outcome.caller() == null) {
            LOG.infof("401 %s: %s", target, outcome.reason());
            Response.ResponseBuilder response = Response.fromResponse(
                    Problem.response(401, "Unauthorized", outcome.reason(), null));
            response.header(HttpHeaders.WWW_AUTHENTICATE, "ApiKey " + REALM + ", header=\"X-API-Key\"");
            if (authenticator.acceptsBearerTokens()) {
                response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer " + REALM);
            }
            return response.build();
        }
        Caller caller = outcome.caller();
        Role needed = READS.contains(request.getMethod()) ? Role.VIEWER : Role.OPERATOR;
        if (!caller.role().includes(needed)) {
            LOG.infof("403 %s: %s '%s' is %s", target, caller.via(), caller.id(), caller.role().wireName());
            return Problem.response(403, "Forbidden", "role " + caller.role().wireName() + " may not "
                    + request.getMethod() + " here; it needs " + needed.wireName(), null);
        }
        context.set(caller);
        return null;
    }
}
