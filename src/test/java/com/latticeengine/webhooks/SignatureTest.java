package com.latticeengine.webhooks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SignatureTest {

    @Test
    void isTheHexHmacSha256OfTheBodyAsRfc4231AndOpensslComputeIt() {
        // RFC 4231, test case 2
        assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                Signature.of("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)));
        // printf '{"event":"run.finished"}' | openssl dgst -sha256 -hmac 'test-only-webhook-secret' (README's check)
        assertEquals("sha256=6c9dff56ca72d98aea7c238830705e29f05a52581da6e63ad33f480f5d208913",
                Signature.of("test-only-webhook-secret", "{\"event\":\"run.finished\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anyChangeOfBodyOrSecretChangesIt() {
        byte[] body = "{\"event\":\"run.finished\"}".getBytes(StandardCharsets.UTF_8);
        byte[] spaced = "{\"event\": \"run.finished\"}".getBytes(StandardCharsets.UTF_8);
        assertNotEquals(Signature.of("secret-one-0123456", body), Signature.of("secret-one-0123456", spaced));
        assertNotEquals(Signature.of("secret-one-0123456", body), Signature.of("secret-two-0123456", body));
    }
}
