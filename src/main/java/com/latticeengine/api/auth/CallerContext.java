package com.latticeengine.api.auth;

import jakarta.enterprise.context.RequestScoped;

/** The caller of the current request, set by {@link AuthFilter} before any resource runs. */
@RequestScoped
public class CallerContext {

    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Caller caller() {
        if (caller == null) {
            throw new IllegalStateException("no caller: the request did not pass AuthFilter");
        }
        return caller;
    }
}
