package com.latticeengine.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.lattice.Violation;
import com.latticeengine.processing.llm.OutputSchemas;
import com.latticeengine.store.ConflictRetry;
import com.latticeengine.store.ReviewStore;
import com.latticeengine.store.TaskState;
import com.latticeengine.store.TaskStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Review decisions on tasks AWAITING_REVIEW: one transaction each (ReviewStore), run again on a
 * conflict, then the run ends if that was its last unfinished task and the claimers wake for
 * whatever the decision made READY.
 */
@ApplicationScoped
public class ReviewService {

    /** An edited output that the project's output schema refuses; nothing was written. */
    public static final class InvalidOutput extends RuntimeException {
        private final List<Violation> violations;

        InvalidOutput(List<Violation> violations) {
            super(violations.get(0).toString());
            this.violations = List.copyOf(violations);
        }

        public List<Violation> violations() {
            return violations;
        }
    }

    private final ReviewStore reviews;
    private final TaskStore tasks;
    private final OutputSchemas schemas;
    private final ClaimWakeups wakeups;
    private final ObjectMapper mapper;

    public ReviewService(ReviewStore reviews, TaskStore tasks, OutputSchemas schemas, ClaimWakeups wakeups,
                         ObjectMapper mapper) {
        this.reviews = reviews;
        this.tasks = tasks;
        this.schemas = schemas;
        this.wakeups = wakeups;
        this.mapper = mapper;
    }

    /** Empty when the run has no task {@code name}; see ReviewStore.decide. */
    public Optional<ReviewStore.Result> decide(UUID runId, String name, ReviewStore.Review review) throws SQLException {
        Optional<ReviewStore.Result> result = ConflictRetry.run("review " + name,
                () -> reviews.decide(runId, name, review, task -> checkEdit(review, task)));
        if (result.map(ReviewStore.Result::applied).orElse(false)) {
            if (result.get().state() != TaskState.FAILED) {
                wakeups.wake();
            }
            tasks.finishRuns(Set.of(runId));
        }
        return result;
    }

    /** An edited output must pass the output schema the task's own outputs had to pass (the project's, else the run's). */
    private void checkEdit(ReviewStore.Review review, ReviewStore.ReviewedTask task) {
        if (review.decision() != ReviewStore.Decision.EDIT) {
            return;
        }
        try {
            JsonNode project = mapper.readTree(task.projectJson());
            JsonNode schema = project.hasNonNull("output_schema") ? project.get("output_schema")
                    : mapper.readTree(task.runOptionsJson()).path("llm").get("output_schema");
            if (schema == null || schema.isNull()) {
                return;
            }
            List<String> problems = schemas.validate(schema, mapper.readTree(review.editedOutputJson()));
            if (!problems.isEmpty()) {
                throw new InvalidOutput(problems.stream()
                        .map(p -> new Violation("output", "does not match the output schema: " + p)).toList());
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored task data is not valid JSON", e);
        }
    }
}
