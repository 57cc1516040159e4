package com.latticeengine.it;

import com.latticeengine.api.auth.ApiKeys;
import io.smallrye.jwt.build.Jwt;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar in the prod profile, with authentication on (a key file and a JWT key), whose
 * database does not answer (its URL points at a closed port: the shared Postgres is never
 * touched). Every /api request with a valid key is a 503 with Retry-After; a rejected key or JWT
 * is a 401; and the replica's whole log, the answers and /q/* hold none of the secrets it was
 * given: the DB password, the LLM key, the API keys (valid and rejected) and the JWT.
 */
class DatabaseOutageIT {

    private static final String DB_PASSWORD = "db-pw-" + UUID.randomUUID();
    private static final String LLM_KEY = "sk-llm-" + UUID.randomUUID().toString().replace("-", "");
    private static final String API_KEY = "lk-" + UUID.randomUUID();
    private static final String REJECTED_KEY = "lk-rejected-" + UUID.randomUUID();

    @Test
    void anOutageIs503AndNoSecretReachesTheLogOrAnyAnswer() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "it-outage").toAbsolutePath());
        Path keys = dir.resolve("api-keys.json");
        Files.writeString(keys, "[{\"id\": \"ops\", \"sha256\": \"" + ApiKeys.sha256Hex(API_KEY)
                + "\", \"role\": \"operator\", \"tenant\": \"acme\"}]");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair verifying = generator.generateKeyPair();
        Path publicKey = dir.resolve("jwt-public.pem");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(verifying.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        String forgedJwt = Jwt.issuer("https://issuer.it").audience("lattice-engine").subject("mallory")
                .groups(Set.of("admin")).expiresIn(600).sign(generator.generateKeyPair().getPrivate());

        List<String> answers = new ArrayList<>();
        try (ReplicaProcess replica = ReplicaProcess.start("outage-1", Map.ofEntries(
                Map.entry("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/lattice"),
                Map.entry("quarkus.datasource.password", DB_PASSWORD),
                Map.entry("quarkus.flyway.migrate-at-start", "false"),
                Map.entry("quarkus.langchain4j.openai.api-key", LLM_KEY),
                Map.entry("quarkus.langchain4j.openai.base-url", "http://127.0.0.1:1/v1/"),
                Map.entry("lattice.auth.enabled", "true"),
                Map.entry("lattice.auth.api-keys-file", keys.toString()),
                Map.entry("mp.jwt.verify.publickey.location", publicKey.toUri().toString()),
                Map.entry("mp.jwt.verify.issuer", "https://issuer.it"),
                Map.entry("mp.jwt.verify.audiences", "lattice-engine")))) {
            replica.waitUntilAnswering();
            String run = UUID.randomUUID().toString();
            for (String[] call : new String[][] {{"GET", "/api/runs"}, {"GET", "/api/runs/" + run},
                    {"GET", "/api/runs/" + run + "/tasks"}, {"POST", "/api/runs/" + run + "/cancel"}}) {
                HttpResponse<String> response = replica.send(call[0], call[1], null, "X-API-Key", API_KEY);
                answers.add(response.body());
                assertOutage(call[0] + " " + call[1], response);
            }
            HttpResponse<String> submit = replica.send("POST", "/api/runs",
                    "{\"requirements\":\"r\",\"processor\":\"llm\",\"lattice\":{\"projects\":[{\"name\":\"A\",\"layer\":1}]}}",
                    "X-API-Key", API_KEY);
            answers.add(submit.body());
            assertOutage("POST /api/runs", submit);

            HttpResponse<String> rejectedKey = replica.send("GET", "/api/runs", null, "X-API-Key", REJECTED_KEY);
            assertEquals(401, rejectedKey.statusCode(), rejectedKey.body());
            HttpResponse<String> rejectedJwt = replica.send("GET", "/api/runs", null, "Authorization", "Bearer " + forgedJwt);
            assertEquals(401, rejectedJwt.statusCode(), rejectedJwt.body());
            answers.add(rejectedKey.body() + rejectedJwt.body() + rejectedKey.headers() + rejectedJwt.headers());
            for (String path : List.of("/q/health/ready", "/q/health/live", "/q/health/started", "/q/metrics", "/q/openapi")) {
                answers.add(replica.get(path).body());
            }
            replica.close();
            String log = replica.logText();
            assertTrue(log.contains("401 GET /api/runs: unknown API key"), "the rejected key is logged:\n" + replica.logTail(40));
            assertTrue(log.contains("bearer token rejected: signature does not verify"), replica.logTail(40));
            assertTrue(log.contains("the database is unavailable"), replica.logTail(40));
            Map<String, String> secrets = Map.of("DB password", DB_PASSWORD, "LLM key", LLM_KEY, "API key", API_KEY,
                    "rejected API key", REJECTED_KEY, "JWT", forgedJwt, "JWT signature", forgedJwt.substring(forgedJwt.lastIndexOf('.') + 1));
            secrets.forEach((what, secret) -> {
                assertTrue(!log.contains(secret), "the " + what + " is in the replica's log " + replica.log());
                answers.forEach(answer -> assertTrue(!answer.contains(secret), "the " + what + " is in an answer: " + answer));
            });
        }
    }

    private static void assertOutage(String what, HttpResponse<String> response) {
        assertEquals(503, response.statusCode(), what + ": " + response.body());
        assertEquals("5", response.headers().firstValue("Retry-After").orElse(null), what + ": Retry-After");
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), what);
        for (String leak : List.of("PSQL", "SQLException", "127.0.0.1:1", "java.", "org.")) {
            assertTrue(!response.body().contains(leak), what + " shows '" + leak + "': " + response.body());
        }
    }
}
