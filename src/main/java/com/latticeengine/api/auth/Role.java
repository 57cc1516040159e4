package com.latticeengine.api.auth;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do; each role includes everything the ones before it may. */
public enum Role {
    /** Reads runs, tasks and events of its tenant. */
    VIEWER,
    /** Also submits, cancels and reruns (every request that is not a read). */
    OPERATOR,
    /** Everything, in every tenant. */
    ADMIN;

    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> of(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
