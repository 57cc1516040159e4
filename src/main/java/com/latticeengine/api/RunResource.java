package com.latticeengine.api;

import com.latticeengine.api.auth.Caller;
import com.latticeengine.api.auth.CallerContext;
import com.latticeengine.engine.RunService;
import com.latticeengine.lattice.InvalidSubmissionException;
import com.latticeengine.store.BudgetChange;
import com.latticeengine.store.RunListItem;
import com.latticeengine.store.RunQueries;
import com.latticeengine.store.RunState;
import com.latticeengine.store.RunStore;
import com.latticeengine.store.RunTotals;
import com.latticeengine.store.TaskState;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The HTTP edge for runs: maps requests to the run service and the store's records to views (RunViews), nothing more. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs", description = "Submit lattices as runs and follow their tasks")
public class RunResource {

    /** A small submission in the shape of examples/odras-lattice.json, shown in the OpenAPI document. */
    static final String EXAMPLE_SUBMISSION = """
            {
              "requirements": "The unmanned aerial surveillance system shall provide persistent day and night surveillance.",
              "processor": "simulated",
              "lattice": {
                "projects": [
                  {"name": "Mission Analysis", "layer": 1, "parent_name": null,
                   "description": "Derive mission needs and key performance parameters.", "domain": "mission engineering"},
                  {"name": "System Architecture", "layer": 1, "parent_name": null,
                   "description": "Define the functional and physical architecture.", "domain": "systems engineering"},
                  {"name": "Air Vehicle Design", "layer": 2, "parent_name": "System Architecture",
                   "description": "Select the air vehicle configuration.", "domain": "aeronautics"}
                ],
                "data_flows": [
                  {"from_project": "Mission Analysis", "to_project": "Air Vehicle Design", "data_type": "requirements"}
                ]
              }
            }
            """;

    private static final int MAX_PAGE_SIZE = 1000;

    private final RunService service;
    private final RunQueries queries;
    private final SubmissionParser parser;
    private final CallerContext caller;
    private final RunTotals totals;

    public RunResource(RunService service, RunQueries queries, SubmissionParser parser, CallerContext caller,
                       RunTotals totals) {
        this.service = service;
        this.queries = queries;
        this.parser = parser;
        this.caller = caller;
        this.totals = totals;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Submit a lattice as a new run",
            description = "Validates the lattice and creates one task per project. With an Idempotency-Key header a "
                    + "repeated submission returns the existing run (200) instead of creating another (201).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT),
            examples = @ExampleObject(name = "odras", summary = "Three projects, one data flow",
                    value = EXAMPLE_SUBMISSION)))
    @APIResponse(responseCode = "201", description = "Run created; Location names it")
    @APIResponse(responseCode = "200", description = "Run already submitted with this Idempotency-Key")
    @APIResponse(responseCode = "400", description = "Invalid submission (problem+json listing each violation)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response submit(byte[] body, @HeaderParam("Idempotency-Key") String idempotencyKey) throws SQLException {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw ProblemException.badParameter("Idempotency-Key", "must be 1 to 255 characters");
        }
        RunService.Submitted submitted = service.submit(parser.parse(body), caller.caller().tenant(),
                idempotencyKey);
        RunView view = runView(submitted.runId());
        return Response.status(submitted.created() ? Response.Status.CREATED : Response.Status.OK)
                .location(URI.create("/api/runs/" + submitted.runId()))
                .entity(view)
                .build();
    }

    @GET
    @Operation(summary = "List runs, newest first",
            description = "The caller's tenant's runs (an admin's: every tenant's); optionally filtered by state; "
                    + "paged. Each run has its task counts and usage.")
    public List<RunSummary> list(@QueryParam("state") String state,
                                 @QueryParam("page") @DefaultValue("0") String page,
                                 @QueryParam("size") @DefaultValue("50") String size) throws SQLException {
        RunState filter = state == null ? null : parseEnum(RunState.class, "state", state);
        Caller who = caller.caller();
        List<RunListItem> runs = queries.runs(who.seesAllTenants() ? null : who.tenant(), filter,
                nonNegative("page", page), pageSize(size));
        Map<UUID, RunTotals.Totals> byRun = totals.of(runs.stream().map(RunListItem::id).toList());
        return runs.stream().map(run -> RunViews.summary(run, byRun.get(run.id()))).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A run with its counts and tasks")
    public RunView get(@PathParam("id") String id) throws SQLException {
        return runView(runId(id));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Change a run's budget",
            description = "{\"budget\": {\"max_tokens\": n, \"max_cost_usd\": x}}: a cap given replaces the current"
                    + " one, null removes it, an absent one stays. A run paused by its budget resumes when the new"
                    + " budget covers the call that paused it.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT),
            examples = @ExampleObject(name = "raise", value = "{\"budget\": {\"max_cost_usd\": 5.00}}")))
    @APIResponse(responseCode = "200", description = "The run with its new budget")
    @APIResponse(responseCode = "400", description = "Invalid budget (problem+json naming each field), or a cost cap"
            + " on a run calling a model without a price",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The run already ended")
    public RunView patch(@PathParam("id") String id, byte[] body) throws SQLException {
        UUID runId = runId(id);
        BudgetChange change = BudgetFields.patch(body);
        Optional<RunStore.Transition> transition;
        try {
            transition = service.changeBudget(runId, change);
        } catch (InvalidSubmissionException e) {
            throw new ProblemException(400, "Invalid request", e.getMessage(), e.violations());
        }
        return viewUnlessEnded(found(transition, runId), runId);
    }

    @GET
    @Path("/{id}/tasks")
    @Operation(summary = "A run's tasks, optionally filtered by state; paged")
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
        return RunViews.tasks(queries.tasks(runId, filter, pageSize, nonNegative("page", page) * pageSize));
    }

    @GET
    @Path("/{id}/tasks/{name}")
    @Operation(summary = "One task with its inputs, output and attempts")
    public TaskDetail task(@PathParam("id") String id, @PathParam("name") String name) throws SQLException {
        UUID runId = runId(id);
        return queries.task(runId, taskName(name)).map(RunViews::task)
                .orElseThrow(() -> ProblemException.notFound("no task '" + name + "' in run " + runId));
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a RUNNING or PAUSED run")
    public RunView cancel(@PathParam("id") String id) throws SQLException {
        UUID runId = runId(id);
        RunStore.Transition transition = found(service.cancel(runId), runId);
        if (!transition.changed() && transition.before() != RunState.CANCELLED) {
            throw ProblemException.conflict("run " + runId + " already ended " + transition.before());
        }
        return runView(runId);
    }

    @POST
    @Path("/{id}/pause")
    @Operation(summary = "Pause a run: READY tasks wait, running ones finish; repeating it is harmless")
    @APIResponse(responseCode = "200", description = "The run, PAUSED with paused_reason \"operator\"")
    @APIResponse(responseCode = "409", description = "The run already ended")
    public RunView pause(@PathParam("id") String id) throws SQLException {
        UUID runId = runId(id);
        return viewUnlessEnded(found(service.pause(runId), runId), runId);
    }

    @POST
    @Path("/{id}/resume")
    @Operation(summary = "Resume a PAUSED run; a RUNNING run stays as it is")
    @APIResponse(responseCode = "200", description = "The run, RUNNING (or ended, if nothing was left to do)")
    @APIResponse(responseCode = "409", description = "The run already ended")
    public RunView resume(@PathParam("id") String id) throws SQLException {
        UUID runId = runId(id);
        return viewUnlessEnded(found(service.resume(runId), runId), runId);
    }

    /** Pause and resume change nothing on a run that already ended, and say so. */
    private RunView viewUnlessEnded(RunStore.Transition transition, UUID runId) throws SQLException {
        if (transition.before().isFinal()) {
            throw ProblemException.conflict("run " + runId + " already ended " + transition.before());
        }
        return runView(runId);
    }

    @POST
    @Path("/{id}/rerun")
    @Operation(summary = "Rerun a FAILED, CANCELLED or PAUSED run")
    public RunView rerun(@PathParam("id") String id) throws SQLException {
        UUID runId = runId(id);
        RunStore.Transition transition = found(service.rerun(runId), runId);
        if (!transition.changed()) {
            throw ProblemException.conflict("run " + runId + " is " + transition.before()
                    + "; only a FAILED, CANCELLED or PAUSED run can be rerun");
        }
        return runView(runId);
    }

    @POST
    @Path("/{id}/tasks/{name}/rerun")
    @Operation(summary = "Rerun a run from one task (the run must have ended or be PAUSED with none of those tasks running)")
    public RunView rerunFrom(@PathParam("id") String id, @PathParam("name") String name) throws SQLException {
        UUID runId = runId(id);
        Optional<RunStore.Transition> transition = service.rerunFrom(runId, taskName(name));
        if (transition.isEmpty()) {
            throw ProblemException.notFound("no run " + runId + " with a task '" + name + "'");
        }
        if (!transition.get().changed()) {
            throw ProblemException.conflict(transition.get().before() == RunState.PAUSED
                    ? "task '" + name + "' of paused run " + runId + ", or a task downstream of it, is still running; wait for it to finish"
                    : "run " + runId + " has not ended; wait for it to end, pause it or cancel it");
        }
        return runView(runId);
    }

    private RunView runView(UUID runId) throws SQLException {
        return queries.run(runId, true).map(RunViews::run).orElseThrow(() -> ProblemException.notFound("no run " + runId));
    }

    /** No task name holds U+0000 (submissions refuse it), and Postgres would fail on it rather than find nothing. */
    private static String taskName(String name) {
        if (name.indexOf('\0') >= 0) {
            throw ProblemException.notFound("no task with U+0000 in its name (no name can hold it)");
        }
        return name;
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
