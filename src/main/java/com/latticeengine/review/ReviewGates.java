package com.latticeengine.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.latticeengine.lattice.Violation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's side of review gates: which gate applies to a task (its project's {@code review},
 * else the run's) and whether an output trips it. Compiled expressions are kept, so a run's
 * thousands of tasks compile its expression once per replica.
 */
public final class ReviewGates {

    private static final int MAX_COMPILED = 256;
    private static final Map<String, ReviewGate> COMPILED = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ReviewGate> eldest) {
                    return size() > MAX_COMPILED;
                }
            });

    private ReviewGates() {
    }

    /**
     * Why {@code output} needs review, or empty when it may go downstream. {@code runReview} and
     * {@code projectReview} are the stored {@code review} values (null when not given); the
     * project's replaces the run's, and {@code {"always": false}} there exempts the project.
     */
    public static Optional<String> check(Object runReview, Object projectReview, JsonNode output) {
        Object review = projectReview != null ? projectReview : runReview;
        if (review == null) {
            return Optional.empty();
        }
        List<Violation> errors = new ArrayList<>();
        Optional<ReviewGate> gate;
        try {
            gate = review instanceof Map<?, ?> m && m.get("when") instanceof String when
                    ? Optional.of(COMPILED.computeIfAbsent(when, ReviewGate::compile))
                    : ReviewGate.parse(review, "review", errors);
        } catch (IllegalArgumentException e) {
            errors.add(new Violation("review.when", e.getMessage()));
            gate = Optional.empty();
        }
        if (!errors.isEmpty()) {
            // Checked at submission; a stored gate that no longer compiles still must not wave outputs through.
            return Optional.of("the review gate is invalid, so the output needs review: " + errors);
        }
        return gate.flatMap(g -> g.check(output));
    }
}
