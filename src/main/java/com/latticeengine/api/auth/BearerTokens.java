package com.latticeengine.api.auth;

import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.json.JsonString;
import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;

import java.util.Optional;

/**
 * JWT bearer tokens, verified by smallrye-jwt with the mp.jwt.verify.* settings (key, issuer,
 * audiences; signature and expiry always). The role is the highest of viewer/operator/admin in
 * the {@code groups} claim, the tenant the claim named by lattice.auth.tenant-claim.
 */
final class BearerTokens {

    /** Why a token was refused: {@code reason} is safe to log and to answer, it never quotes the token. */
    record Outcome(Caller caller, String reason) {
    }

    private final JWTParser parser;
    private final String tenantClaim;

    BearerTokens(JWTParser parser, String tenantClaim) {
        this.parser = parser;
        this.tenantClaim = tenantClaim;
    }

    Outcome verify(String token) {
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            return new Outcome(null, "bearer token rejected: " + why(e));
        }
        Optional<Role> role = jwt.getGroups() == null ? Optional.empty()
                : jwt.getGroups().stream().map(Role::of).flatMap(Optional::stream).max(Enum::compareTo);
        String id = jwt.getName() != null ? jwt.getName() : jwt.getSubject();
        if (role.isEmpty()) {
            return new Outcome(null, "bearer token of '" + id + "' has no viewer, operator or admin in its groups claim");
        }
        Object claim = jwt.getClaim(tenantClaim);
        String tenant = claim instanceof JsonString json ? json.getString() : claim instanceof String text ? text : null;
        if (tenant == null && role.get() == Role.ADMIN) {
            tenant = Caller.DEFAULT_TENANT;
        }
        if (tenant == null || !Caller.TENANT.matcher(tenant).matches()) {
            return new Outcome(null, "bearer token of '" + id + "' has no valid '" + tenantClaim + "' claim");
        }
        return new Outcome(new Caller(id == null ? "jwt" : id, role.get(), tenant, "jwt"), null);
    }

    /** The verification failure in a few words, from jose4j's error codes (its messages quote the claims). */
    private static String why(ParseException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid) {
                if (invalid.hasExpired()) {
                    return "expired";
                }
                if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                    return "signature does not verify";
                }
                if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
                    return "wrong issuer";
                }
                if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
                    return "wrong audience";
                }
                return "invalid (" + invalid.getErrorDetails().stream().map(d -> String.valueOf(d.getErrorCode()))
                        .reduce((a, b) -> a + "," + b).orElse("?") + ")";
            }
        }
        return "not a verifiable JWT";
    }
}
