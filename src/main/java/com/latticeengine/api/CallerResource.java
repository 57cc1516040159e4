package com.latticeengine.api;

import com.latticeengine.api.auth.Caller;
import com.latticeengine.api.auth.CallerContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Who the credentials belong to, so a client (the web UI) can show what it may do. */
@Path("/api/me")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs")
public class CallerResource {

    /** {@code role}: viewer, operator or admin; {@code via}: api-key, jwt, or none when auth is off. */
    public record Me(String id, String role, String tenant, String via) {
    }

    private final CallerContext context;

    public CallerResource(CallerContext context) {
        this.context = context;
    }

    @GET
    @Operation(summary = "The caller: id, role, tenant and how it authenticated")
    public Me me() {
        Caller caller = context.caller();
        return new Me(caller.id(), caller.role().wireName(), caller.tenant(), caller.via());
    }
}
