package com.latticeengine.lattice;

import java.util.List;
import java.util.stream.Collectors;

/** A submission that breaks one or more rules; nothing of it is stored. */
public class InvalidSubmissionException extends RuntimeException {
    private final List<Violation> violations;

    public InvalidSubmissionException(List<Violation> violations) {
        super(violations.stream().map(v -> v.field() + ": " + v.reason()).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
