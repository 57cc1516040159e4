package com.latticeengine.api.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.config.LatticeConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns request credentials into a {@link Caller}: an {@code X-API-Key} from the key file, else
 * an {@code Authorization: Bearer} JWT. Reads its configuration once at startup, fails the start
 * on a broken key file, and says in the log which credentials it accepts (and loudly when none).
 */
@ApplicationScoped
public class Authenticator {

    private static final Logger LOG = Logger.getLogger(Authenticator.class);

    /** {@code caller} when accepted, otherwise {@code reason}: safe to log and to answer (never a credential). */
    public record Outcome(Caller caller, String reason) {
    }

    private final boolean enabled;
    private final ApiKeys keys;
    private final BearerTokens tokens;
    private final String jwtSummary;

    public Authenticator(LatticeConfig config, ObjectMapper mapper, JWTParser parser) {
        this.enabled = config.auth().enabled();
        this.keys = enabled ? config.auth().apiKeysFile().map(f -> load(f, mapper)).orElse(ApiKeys.none())
                : ApiKeys.none();
        Config mp = ConfigProvider.getConfig();
        Optional<String> keyLocation = mp.getOptionalValue("mp.jwt.verify.publickey.location", String.class)
                .or(() -> mp.getOptionalValue("mp.jwt.verify.publickey", String.class).map(k -> "(inline key)"));
        this.tokens = enabled && keyLocation.isPresent() ? new BearerTokens(parser, config.auth().tenantClaim()) : null;
        this.jwtSummary = keyLocation.map(location -> "key " + location + ", issuer "
                + mp.getOptionalValue("mp.jwt.verify.issuer", String.class).orElse("(any: set mp.jwt.verify.issuer)")
                + ", audiences " + mp.getOptionalValue("mp.jwt.verify.audiences", String.class)
                .orElse("(any: set mp.jwt.verify.audiences)")
                + ", tenant claim '" + config.auth().tenantClaim() + "'").orElse(null);
    }

    /**
     * A file that is not there (the optional Secret of k8s/ not created) means no API keys, said at
     * WARN: requests then fail closed with 401. A file that is there but broken stops the start.
     */
    static ApiKeys load(Path file, ObjectMapper mapper) {
        if (!Files.exists(file)) {
            LOG.warnf("lattice.auth.api-keys-file %s does not exist: no API key is accepted", file);
            return ApiKeys.none();
        }
        return ApiKeys.load(file, mapper);
    }

    void logConfiguration(@Observes StartupEvent start) {
        if (!enabled) {
            LOG.warn("authentication is OFF (lattice.auth.enabled=false): anyone who reaches the port may submit, "
                    + "cancel and read every run");
        } else if (keys.size() == 0 && tokens == null) {
            LOG.warn("authentication is ON but NO credentials are configured (neither lattice.auth.api-keys-file nor "
                    + "mp.jwt.verify.publickey.location): every /api request answers 401 (docs/SECURITY.md)");
        } else {
            LOG.infof("authentication is ON: %d API key(s)%s; JWT bearer tokens %s", keys.size(),
                    keys.size() == 0 ? " (lattice.auth.api-keys-file unset)" : "",
                    tokens == null ? "not accepted (mp.jwt.verify.publickey.location unset)" : "verified with " + jwtSummary);
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean acceptsBearerTokens() {
        return tokens != null;
    }

    public Outcome authenticate(String apiKey, String authorization) {
        if (!enabled) {
            return new Outcome(Caller.AUTH_DISABLED, null);
        }
        if (apiKey != null) {
            return keys.authenticate(apiKey).map(c -> new Outcome(c, null))
                    .orElseGet(() -> new Outcome(null, "unknown API key"));
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (tokens == null) {
                return new Outcome(null, "bearer tokens are not accepted here (no mp.jwt.verify.publickey.location)");
            }
            BearerTokens.Outcome outcome = tokens.verify(authorization.substring(7).trim());
            return new Outcome(outcome.caller(), outcome.reason());
        }
        return new Outcome(null, "no credentials: send X-API-Key: <key> or Authorization: Bearer <jwt>");
    }
}
