package com.latticeengine.api;

import com.latticeengine.engine.RunService;
import com.latticeengine.store.RunEntity;
import com.latticeengine.store.RunQueries;
import com.latticeengine.store.RunState;
import com.latticeengine.store.RunStore;
import com.latticeengine.store.RunView;
import com.latticeengine.store.TaskDetail;
import com.latticeengine.store.TaskState;
import com.latticeengine.store.TaskSummary;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The HTTP edge for runs: maps requests to the run service and views, nothing more. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private static final int MAX_PAGE_SIZE = 1000;

    private final RunService service;
    private final RunQueries queries;
    private final SubmissionParser parser;

    public RunResource(RunService service, RunQueries queries, SubmissionParser parser) {
        this.service = service;
        this.queries = queries;
        this.parser = parser;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response submit(byte[] body, @HeaderParam("Idempotency-Key") String idempotencyKey) throws SQLException {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw ProblemException.badParameter("Idempotency-Key", "must be 1 to 255 characters");
        }
        RunService.Submitted submitted = service.submit(parser.parse(body), idempotencyKey);
        RunView view = runView(submitted.runId());
        return Response.status(submitted.created() ? Response.Status.CREATED : Response.Status.OK)
                .location(URI.create("/api/runs/" + submitted.runId()))
                .entity(view)
                .build();
    }

    @GET
    public List<RunSummary> list(@QueryParam("state") String state,
                                 @QueryParam("page") @DefaultValue("0") String page,
                                 @QueryParam("size") @DefaultValue("50") String size) {
        RunState filter = state == null ? null : parseEnum(RunState.class, "state", state);
        return RunEntity.newestFirst(filter, nonNegative("page", page), pageSize(size)).stream()
                .map(RunSummary::of).toList();
    }

    @GET
    @Path("/{id}")
    public RunView get(@PathParam("id") String id) throws SQLException {
        return runView(runId(id));
    }

    @GET
    @Path("/{id}/tasks")
    public List<TaskSummary> tasks(@PathParam("id") String id,
                                   @QueryParam("state") String state,
                                   @QueryParam("page") @DefaultValue("0") String page,
                                   @QueryParam("size") @DefaultValue("100") String size) throws SQLException {
        UUID runId = runId(id);
        TaskState filter = state == null ? null : parseEnum(TaskState.class, "state", state);
        int pageSize = pageSize(size);
        if (queries.run(runId, false).isEmpty()) {
            throw ProblemException.notFound("no run " + runId);
        }
        return queries.tasks(runId, filter, pageSize, nonNegative("page", page) * pageSize);
    }

    @GET
    @Path("/{id}/tasks/{name}")
    public TaskDetail task(@PathParam("id") String id, @PathParam("name") String name) throws SQLException {
        UUID runId = runId(id);
        return queries.task(runId, name)
                .orElseThrow(() -> ProblemException.notFound("no task '" + name + "' in run " + runId));
    }

    @POST
    @Path("/{id}/cancel")
    public RunView cancel(@PathParam("id") String id) throws SQLException {
        UUID runId = runId(id);
        RunStore.Transition transition = found(service.cancel(runId), runId);
        if (!transition.changed() && transition.before() != RunState.CANCELLED) {
            throw ProblemException.conflict("run " + runId + " already ended " + transition.before());
        }
        return runView(runId);
    }

    @POST
    @Path("/{id}/rerun")
    public RunView rerun(@PathParam("id") String id) throws SQLException {
        UUID runId = runId(id);
        RunStore.Transition transition = found(service.rerun(runId), runId);
        if (!transition.changed()) {
            throw ProblemException.conflict("run " + runId + " is " + transition.before()
                    + "; only a FAILED or CANCELLED run can be rerun");
        }
        return runView(runId);
    }

    @POST
    @Path("/{id}/tasks/{name}/rerun")
    public RunView rerunFrom(@PathParam("id") String id, @PathParam("name") String name) throws SQLException {
        UUID runId = runId(id);
        Optional<RunStore.Transition> transition = service.rerunFrom(runId, name);
        if (transition.isEmpty()) {
            throw ProblemException.notFound("no run " + runId + " with a task '" + name + "'");
        }
        if (!transition.get().changed()) {
            throw ProblemException.conflict("run " + runId + " is still RUNNING; wait for it to end or cancel it");
        }
        return runView(runId);
    }

    private RunView runView(UUID runId) throws SQLException {
        return queries.run(runId, true).orElseThrow(() -> ProblemException.notFound("no run " + runId));
    }

    private static RunStore.Transition found(Optional<RunStore.Transition> transition, UUID runId) {
        return transition.orElseThrow(() -> ProblemException.notFound("no run " + runId));
    }

    private static UUID runId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no run " + id + " (run ids are UUIDs)");
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String field, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badParameter(field, "must be one of " + List.of(type.getEnumConstants()));
        }
    }

    private static int nonNegative(String field, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ProblemException.badParameter(field, "must be an integer >= 0");
    }

    private static int pageSize(String value) {
        int size = nonNegative("size", value);
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ProblemException.badParameter("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        return size;
    }
}
