package com.latticeengine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.lattice.Violation;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * A body announced larger than lattice.limits.max-body-bytes gets 413 problem+json before a byte
 * of it is read. quarkus.http.limits.max-body-size is set to the same value, so a chunked body
 * without Content-Length is cut off there too (with Quarkus's plain 413).
 */
@ApplicationScoped
public class BodyLimitFilter {

    /** After Quarkus's own header and CORS handlers, so the 413 carries their headers too. */
    private static final int PRIORITY = 10;

    void register(@Observes Filters filters, SubmissionLimits limits, ObjectMapper mapper) {
        long max = limits.maxBodyBytes();
        filters.register(rc -> {
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            long bytes = parse(length);
            if (bytes <= max) {
                rc.next();
                return;
            }
            String reason = "is " + bytes + " bytes; lattice.limits.max-body-bytes is " + max;
            rc.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(json(mapper, new Problem("about:blank", "Content Too Large", 413, "body " + reason,
                            List.of(new Violation("body", reason)))));
        }, PRIORITY);
    }

    private static long parse(String length) {
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x itself rejects a malformed Content-Length
        }
    }

    private static String json(ObjectMapper mapper, Problem problem) {
        try {
            return mapper.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem record always serialises", e);
        }
    }
}
