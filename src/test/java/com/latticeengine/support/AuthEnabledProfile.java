package com.latticeengine.support;

import com.latticeengine.api.auth.ApiKeys;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one test profile with authentication on (every auth, tenant and limit test shares it, so
 * Quarkus restarts once for them): an API key file with four keys, JWTs verified with an RSA key
 * generated here, and small limits so that hostile bodies stay cheap to send.
 *
 * <p>The key pair lives in target/auth-test: Quarkus may load this class in more than one class
 * loader, and each must sign with the key the application verifies with.
 */
public class AuthEnabledProfile implements QuarkusTestProfile {

    public static final String ISSUER = "https://issuer.lattice.test";
    public static final String AUDIENCE = "lattice-engine";

    public static final String VIEWER_ACME = "lk-viewer-acme-5e1f0c8a9d";
    public static final String OPERATOR_ACME = "lk-operator-acme-77b2e4c1aa";
    public static final String OPERATOR_GLOBEX = "lk-operator-globex-2c9d41f0e3";
    public static final String ADMIN = "lk-admin-0b7e93d2c6";

    public static final long MAX_BODY_BYTES = 262_144;
    public static final int MAX_PROJECTS = 50;
    public static final int MAX_DATA_FLOWS = 60;
    public static final int MAX_REQUIREMENTS_CHARS = 20_000;
    public static final int MAX_CONTEXT_CHARS = 2_000;

    private static final Path DIR = Path.of("target", "auth-test").toAbsolutePath();
    private static final Path KEYS_FILE = DIR.resolve("api-keys.json");
    private static final Path PUBLIC_KEY = DIR.resolve("jwt-public.pem");
    private static final Path PRIVATE_KEY = DIR.resolve("jwt-private.der");

    @Override
    public Map<String, String> getConfigOverrides() {
        writeFiles();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("lattice.auth.enabled", "true");
        config.put("lattice.auth.api-keys-file", KEYS_FILE.toString());
        config.put("mp.jwt.verify.publickey.location", PUBLIC_KEY.toUri().toString());
        config.put("mp.jwt.verify.issuer", ISSUER);
        config.put("mp.jwt.verify.audiences", AUDIENCE);
        config.put("lattice.limits.max-body-bytes", Long.toString(MAX_BODY_BYTES));
        config.put("lattice.limits.max-projects", Integer.toString(MAX_PROJECTS));
        config.put("lattice.limits.max-data-flows", Integer.toString(MAX_DATA_FLOWS));
        config.put("lattice.limits.max-requirements-chars", Integer.toString(MAX_REQUIREMENTS_CHARS));
        config.put("lattice.limits.max-context-chars", Integer.toString(MAX_CONTEXT_CHARS));
        config.put("lattice.cors.origins", "https://ui.lattice.test");
        return config;
    }

    /** A token signed with the application's key; {@code claims} adjusts it (issuer, audience, expiry...). */
    public static String jwt(String subject, String group, String tenant) {
        return sign(claims(subject, group, tenant), privateKey());
    }

    public static JwtClaimsBuilder claims(String subject, String group, String tenant) {
        JwtClaimsBuilder claims = Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).upn(subject)
                .groups(Set.of(group)).expiresIn(600);
        return tenant == null ? claims : claims.claim("tenant", tenant);
    }

    public static String sign(JwtClaimsBuilder claims, PrivateKey key) {
        return claims.jws().keyId("test").sign(key);
    }

    public static PrivateKey privateKey() {
        writeFiles();
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(PRIVATE_KEY)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key the application has never seen, for the "signed with the wrong key" case. */
    public static PrivateKey strangerKey() {
        return newKeyPair().getPrivate();
    }

    private static synchronized void writeFiles() {
        try {
            Files.createDirectories(DIR);
            if (!Files.exists(PUBLIC_KEY) || !Files.exists(PRIVATE_KEY)) {
                KeyPair pair = newKeyPair();
                Files.write(PRIVATE_KEY, pair.getPrivate().getEncoded());
                Files.writeString(PUBLIC_KEY, "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
            }
            Files.writeString(KEYS_FILE, "[\n"
                    + entry("viewer-acme", VIEWER_ACME, "viewer", "acme") + ",\n"
                    + entry("operator-acme", OPERATOR_ACME, "operator", "acme") + ",\n"
                    + entry("operator-globex", OPERATOR_GLOBEX, "operator", "globex") + ",\n"
                    + "  {\"id\": \"admin\", \"sha256\": \"" + ApiKeys.sha256Hex(ADMIN) + "\", \"role\": \"admin\"}\n]\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String entry(String id, String key, String role, String tenant) {
        return "  {\"id\": \"" + id + "\", \"sha256\": \"" + ApiKeys.sha256Hex(key) + "\", \"role\": \"" + role
                + "\", \"tenant\": \"" + tenant + "\"}";
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
