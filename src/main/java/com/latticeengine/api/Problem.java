package com.latticeengine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.latticeengine.lattice.Violation;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An RFC 9457 problem document; {@code errors} names each offending field and why. {@code errorId}
 * (500s only) is the id the server logged the failure under, for a support request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<Violation> errors, String errorId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem(String type, String title, int status, String detail, List<Violation> errors) {
        this(type, title, status, detail, errors, null);
    }

    public static Response response(int status, String title, String detail, List<Violation> errors) {
        return Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, errors))
                .build();
    }
}
