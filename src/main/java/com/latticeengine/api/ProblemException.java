package com.latticeengine.api;

import com.latticeengine.lattice.Violation;

import java.util.List;

/** Ends a request with a problem document: unknown run or task, a state conflict, a bad parameter. */
public class ProblemException extends RuntimeException {

    final int status;
    final String title;
    final List<Violation> errors;

    ProblemException(int status, String title, String detail, List<Violation> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = errors;
    }

    static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail, null);
    }

    static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail, null);
    }

    static ProblemException badParameter(String field, String reason) {
        return new ProblemException(400, "Invalid request", field + ": " + reason, List.of(new Violation(field, reason)));
    }
}
