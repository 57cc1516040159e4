package com.latticeengine.processing;

import com.latticeengine.lattice.Lattice;
import com.latticeengine.lattice.Violation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one project, the run's requirements and the project's inputs into an output.
 * Runs outside any database transaction; may be interrupted on timeout, cancel or shutdown.
 */
public interface Processor {

    /** The name a submission uses in its {@code processor} field. */
    String name();

    ProcessorResult process(TaskContext context) throws ProcessingException, InterruptedException;

    /**
     * Submission-time check of what this processor reads from the run's options and the lattice's
     * projects (model settings, prompt templates, schemas); each problem names its JSON field.
     */
    default List<Violation> validate(Map<String, Object> runOptions, Lattice lattice) {
        return List.of();
    }

    /**
     * Check that a cost cap ({@code budget.max_cost_usd}) can be enforced for what the run's
     * projects call, e.g. that every model has a price: at submission, after {@link #validate}
     * passed, and when a PATCH sets a cost cap on a run submitted without one.
     * {@code projects}: the projects' documents as submitted.
     */
    default List<Violation> validateCostBudget(Map<String, Object> runOptions, List<Map<String, Object>> projects) {
        return List.of();
    }

    /**
     * Tasks whose calls share one provider limit (endpoint and model) return the same key: the
     * engine caps how many of them run cluster-wide and pauses them all after a rate limit.
     * Empty means unlimited. Called per project of a run that passed {@link #validate}.
     */
    default Optional<String> limitKey(Map<String, Object> runOptions, Map<String, Object> project) {
        return Optional.empty();
    }

    /**
     * A key for everything the output depends on; a task whose key already produced an output,
     * in any run, reuses it without a call. Empty means never cached.
     */
    default Optional<String> cacheKey(TaskContext context) {
        return Optional.empty();
    }
}
