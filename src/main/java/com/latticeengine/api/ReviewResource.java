package com.latticeengine.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.latticeengine.api.auth.CallerContext;
import com.latticeengine.engine.ReviewService;
import com.latticeengine.lattice.Violation;
import com.latticeengine.store.ReviewStore;
import com.latticeengine.store.RunQueries;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** POST /api/runs/{id}/tasks/{name}/review: a person's decision on an output that tripped its review gate. */
@Path("/api/runs/{id}/tasks/{name}/review")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs")
public class ReviewResource {

    private static final Set<String> FIELDS = Set.of("decision", "output", "comment");
    private static final int MAX_COMMENT_CHARS = 10_000;

    private final ReviewService reviews;
    private final RunQueries queries;
    private final CallerContext caller;
    private final ObjectReader reader;

    public ReviewResource(ReviewService reviews, RunQueries queries, CallerContext caller, ObjectMapper mapper) {
        this.reviews = reviews;
        this.queries = queries;
        this.caller = caller;
        this.reader = mapper.readerFor(JsonNode.class)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Decide on a task AWAITING_REVIEW: approve, edit, reject or fail",
            description = "{\"decision\": \"approve\"} or \"edit\" with \"output\" (the task SUCCEEDED, downstream "
                    + "released), \"reject\" (the task runs again with the comment as review_comment), \"fail\" "
                    + "(FAILED, downstream BLOCKED); \"comment\" is optional. Returns the task.")
    @APIResponse(responseCode = "200", description = "The task after the decision")
    @APIResponse(responseCode = "400", description = "Bad body, or an edited output its output schema refuses")
    @APIResponse(responseCode = "409", description = "The task is not awaiting review (e.g. already decided)")
    public TaskDetail review(@PathParam("id") String id, @PathParam("name") String name, byte[] body)
            throws SQLException {
        UUID runId = runId(id);
        if (name.indexOf('\0') >= 0) {
            throw ProblemException.notFound("no task with U+0000 in its name (no name can hold it)");
        }
        ReviewStore.Review review = parse(body);
        Optional<ReviewStore.Result> result = reviews.decide(runId, name, review);
        if (result.isEmpty()) {
            throw ProblemException.notFound("no task '" + name + "' in run " + runId);
        }
        if (!result.get().applied()) {
            throw ProblemException.conflict("task '" + name + "' is " + result.get().state()
                    + ", not AWAITING_REVIEW: there is nothing to decide");
        }
        return queries.task(runId, name).map(RunViews::task).orElseThrow();
    }

    @ServerExceptionMapper
    public Response invalidOutput(ReviewService.InvalidOutput e) {
        return Problem.response(400, "Invalid review", e.getMessage(), e.violations());
    }

    private ReviewStore.Review parse(byte[] body) {
        JsonNode root;
        try {
            root = reader.readValue(body == null ? new byte[0] : body);
        } catch (IOException e) {
            throw invalid(List.of(new Violation("body", "malformed JSON")));
        }
        if (root == null || !root.isObject()) {
            throw invalid(List.of(new Violation("body", "must be a JSON object with a decision")));
        }
        List<Violation> errors = new ArrayList<>();
        root.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(new Violation(f, "unknown field; known: decision, output, comment"));
            }
        });
        ReviewStore.Decision decision = null;
        JsonNode decisionNode = root.path("decision");
        if (!decisionNode.isTextual()) {
            errors.add(new Violation("decision", "is required: approve, edit, reject or fail"));
        } else {
            try {
                decision = ReviewStore.Decision.valueOf(decisionNode.textValue().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new Violation("decision", "must be approve, edit, reject or fail"));
            }
        }
        JsonNode output = root.get("output");
        boolean hasOutput = output != null && !output.isNull();
        if (decision == ReviewStore.Decision.EDIT && !(hasOutput && output.isObject())) {
            errors.add(new Violation("output", "is required with decision edit and must be a JSON object"));
        } else if (hasOutput && output.toString().contains("\\u0000")) {
            errors.add(new Violation("output", "must not contain U+0000 (Postgres cannot store it)"));
        } else if (decision != null && decision != ReviewStore.Decision.EDIT && hasOutput) {
            errors.add(new Violation("output", "is only taken with decision edit"));
        }
        JsonNode comment = root.get("comment");
        String commentText = null;
        if (comment != null && !comment.isNull()) {
            if (!comment.isTextual()) {
                errors.add(new Violation("comment", "must be a string"));
            } else if (comment.textValue().length() > MAX_COMMENT_CHARS || comment.textValue().indexOf('\0') >= 0) {
                errors.add(new Violation("comment", "must be at most " + MAX_COMMENT_CHARS
                        + " characters, without U+0000"));
            } else {
                commentText = comment.textValue();
            }
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return new ReviewStore.Review(decision, caller.caller().id(), commentText,
                decision == ReviewStore.Decision.EDIT ? output.toString() : null);
    }

    private static ProblemException invalid(List<Violation> errors) {
        String detail = String.join("; ", errors.stream().map(Violation::toString).toList());
        return new ProblemException(400, "Invalid review", detail, errors);
    }

    private static UUID runId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no run " + id + " (run ids are UUIDs)");
        }
    }
}
