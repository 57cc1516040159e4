package com.latticeengine.api.auth;

import java.util.regex.Pattern;

/**
 * Who sent a request: {@code id} names the key or the token's subject (never the credential),
 * {@code via} how it was proven ({@code api-key}, {@code jwt}, or {@code none} with auth off).
 */
public record Caller(String id, Role role, String tenant, String via) {

    /** Runs submitted with auth off, and by an admin credential that names no tenant. */
    public static final String DEFAULT_TENANT = "default";

    /** Tenant names are identifiers: they appear in views, logs and metrics labels. */
    public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** With lattice.auth.enabled=false every request acts as this caller. */
    public static final Caller AUTH_DISABLED = new Caller("anonymous", Role.ADMIN, DEFAULT_TENANT, "none");

    /** Admins see and act on every tenant's runs; everybody else only on their own. */
    public boolean seesAllTenants() {
        return role == Role.ADMIN;
    }

    public boolean owns(String runTenant) {
        return seesAllTenants() || tenant.equals(runTenant);
    }
}
