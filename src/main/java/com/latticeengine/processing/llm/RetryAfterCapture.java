package com.latticeengine.processing.llm;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import jakarta.ws.rs.ext.Provider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;

/**
 * The extension turns an error response into {@code HttpException(status, body)} and drops the
 * headers, so a 429's {@code Retry-After} would be lost. This client filter (registered for the
 * extension's REST client like any {@code @Provider}) copies the header into the front of the
 * error body as a marker, which {@link LlmErrors} reads back and strips. Other responses pass
 * through untouched.
 */
@Provider
public class RetryAfterCapture implements ClientResponseFilter {

    static final String MARKER = "[lattice-retry-after:";

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) throws IOException {
        if (response.getStatus() != 429) {
            return;
        }
        String retryAfter = response.getHeaderString("Retry-After");
        if (retryAfter == null || retryAfter.isBlank()) {
            return;
        }
        byte[] marker = (MARKER + retryAfter.strip().replace("]", "") + "]\n").getBytes(StandardCharsets.UTF_8);
        InputStream body = response.hasEntity() ? response.getEntityStream() : InputStream.nullInputStream();
        response.setEntityStream(new SequenceInputStream(new ByteArrayInputStream(marker), body));
    }
}
