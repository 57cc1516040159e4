package com.latticeengine.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.lattice.DataFlow;
import com.latticeengine.lattice.Input;
import com.latticeengine.lattice.InvalidSubmissionException;
import com.latticeengine.lattice.LatticeGraph;
import com.latticeengine.lattice.Project;
import com.latticeengine.lattice.Relation;
import com.latticeengine.lattice.Violation;
import com.latticeengine.processing.Processor;
import com.latticeengine.processing.Processors;
import com.latticeengine.store.Budget;
import com.latticeengine.store.BudgetChange;
import com.latticeengine.store.BudgetStore;
import com.latticeengine.store.ConflictRetry;
import com.latticeengine.store.NewRun;
import com.latticeengine.store.PausedReason;
import com.latticeengine.store.RunStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Run lifecycle: submit, cancel, rerun; each write is one transaction, run again when Postgres
 * aborts it as a serialization failure or deadlock. Reads go straight to the store's queries.
 */
@ApplicationScoped
public class RunService {

    /** {@code created} is false when an idempotency key returned an earlier run. */
    public record Submitted(UUID runId, boolean created) {
    }

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final RunStore runs;
    private final BudgetStore budgets;
    private final Processors processors;
    private final ClaimWakeups wakeups;
    private final ObjectMapper mapper;
    private final LatticeConfig config;

    public RunService(RunStore runs, BudgetStore budgets, Processors processors, ClaimWakeups wakeups, ObjectMapper mapper,
                      LatticeConfig config) {
        this.runs = runs;
        this.budgets = budgets;
        this.processors = processors;
        this.wakeups = wakeups;
        this.mapper = mapper;
        this.config = config;
    }

    /** Submits a run for {@code tenant}; an idempotency key only returns an earlier run of the same tenant. */
    public Submitted submit(RunSubmission submission, String tenant, String idempotencyKey) throws SQLException {
        if (idempotencyKey != null) {
            Optional<UUID> earlier = runs.runIdByIdempotencyKey(tenant, idempotencyKey);
            if (earlier.isPresent()) {
                return new Submitted(earlier.get(), false);
            }
        }
        String processor = submission.processor() == null ? config.processor().defaultName() : submission.processor();
        Processor chosen = processors.find(processor).orElseThrow(() -> new InvalidSubmissionException(List.of(
                new Violation("processor", "unknown processor '" + processor + "'; available: "
                        + String.join(", ", processors.names())))));
        NewRun run = newRun(submission, chosen, tenant, idempotencyKey);
        if (!ConflictRetry.run("submit", () -> runs.insert(run))) {
            // Another request with the same key won the race; it committed before our insert returned.
            return new Submitted(runs.runIdByIdempotencyKey(tenant, idempotencyKey).orElseThrow(), false);
        }
        wakeups.wake();
        return new Submitted(run.id(), true);
    }

    public Optional<RunStore.Transition> cancel(UUID runId) throws SQLException {
        return ConflictRetry.run("cancel", () -> runs.cancel(runId));
    }

    /** Pauses by hand: an operator's pause; see RunStore.pause. */
    public Optional<RunStore.Transition> pause(UUID runId) throws SQLException {
        return runs.pause(runId, PausedReason.OPERATOR);
    }

    public Optional<RunStore.Transition> resume(UUID runId) throws SQLException {
        return wakeIfChanged(runs.resume(runId));
    }

    /** Changes a run's budget; a budget-paused run whose blocked call now fits resumes ({@code changed}). */
    public Optional<RunStore.Transition> changeBudget(UUID runId, BudgetChange change) throws SQLException {
        if (change.setsMaxCostUsd() && change.maxCostUsd() != null) {
            Optional<BudgetStore.CallScope> scope = budgets.callScope(runId);
            if (scope.isEmpty()) {
                return Optional.empty();
            }
            refuseUnenforceableCostCap(scope.get());
        }
        return wakeIfChanged(ConflictRetry.run("change a budget", () -> budgets.change(runId, change)));
    }

    public Optional<RunStore.Transition> rerun(UUID runId) throws SQLException {
        return wakeIfChanged(ConflictRetry.run("rerun", () -> runs.rerun(runId)));
    }

    public Optional<RunStore.Transition> rerunFrom(UUID runId, String taskName) throws SQLException {
        return wakeIfChanged(ConflictRetry.run("rerun from a task", () -> runs.rerunFrom(runId, taskName)));
    }

    /**
     * The submission's rule for a cost cap, for one set later on a run submitted without it. An
     * ended run is left to the store, which changes nothing there (409, not 400).
     */
    private void refuseUnenforceableCostCap(BudgetStore.CallScope scope) {
        Optional<Processor> processor = processors.find(scope.processor());
        if (scope.ended() || processor.isEmpty()) {
            return;
        }
        List<Violation> problems = processor.get().validateCostBudget(jsonObject(scope.options()),
                scope.projects().stream().map(this::jsonObject).toList());
        if (!problems.isEmpty()) {
            throw new InvalidSubmissionException(problems);
        }
    }

    private Map<String, Object> jsonObject(String json) {
        try {
            return mapper.readValue(json, JSON_OBJECT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not an object: " + e.getOriginalMessage(), e);
        }
    }

    private Optional<RunStore.Transition> wakeIfChanged(Optional<RunStore.Transition> transition) {
        if (transition.map(RunStore.Transition::changed).orElse(false)) {
            wakeups.wake();
        }
        return transition;
    }

    private NewRun newRun(RunSubmission submission, Processor processor, String tenant, String idempotencyKey) {
        Map<String, Object> options = new LinkedHashMap<>();
        if (submission.cache() != null) {
            options.put("cache", submission.cache());
        }
        if (submission.llm() != null) {
            options.put("llm", submission.llm());
        }
        if (submission.prompts() != null) {
            options.put("prompts", submission.prompts());
        }
        if (submission.context() != null) {
            options.put("context", submission.context());
        }
        if (submission.review() != null) {
            options.put("review", submission.review());
        }
        List<Violation> problems = processor.validate(options, submission.lattice());
        Budget budget = submission.budget() != null ? submission.budget()
                : config.budget().defaultMaxCostUsd().map(cap -> new Budget(null, cap)).orElse(Budget.NONE);
        if (problems.isEmpty() && budget.maxCostUsd() != null) {
            problems = processor.validateCostBudget(options,
                    submission.lattice().projects().stream().map(Project::fields).toList());
        }
        if (!problems.isEmpty()) {
            throw new InvalidSubmissionException(problems);
        }
        LatticeGraph graph = LatticeGraph.of(submission.lattice());
        Map<FlowKey, DataFlow> flows = new HashMap<>();
        submission.lattice().dataFlows().forEach(f -> flows.put(new FlowKey(f.fromProject(), f.toProject(), f.dataType()), f));
        List<NewRun.Task> tasks = new ArrayList<>();
        List<NewRun.Link> links = new ArrayList<>();
        int position = 0;
        for (Project project : submission.lattice().projects()) {
            String name = project.name();
            tasks.add(new NewRun.Task(name, position++, project.layer(), json(project.fields()),
                    graph.upstreamOf(name).size(), graph.pathLengthToEnd(name),
                    processor.limitKey(options, project.fields()).orElse(null)));
            int inputPosition = 0;
            for (Input input : graph.inputsOf(name)) {
                DataFlow flow = input.relation() == Relation.DATA_FLOW
                        ? flows.get(new FlowKey(input.fromProject(), name, input.dataType())) : null;
                links.add(new NewRun.Link(name, inputPosition++, input.fromProject(), input.relation().wireName(),
                        input.dataType(), input.required(), flow == null ? null : json(flow.fields())));
            }
        }
        int maxAttempts = submission.maxAttempts() != null ? submission.maxAttempts() : config.retry().maxAttempts();
        long timeoutMs = submission.taskTimeoutMs() != null ? submission.taskTimeoutMs()
                : config.task().timeout().toMillis();
        Map<String, Object> metadata = submission.lattice().metadata();
        return new NewRun(UUID.randomUUID(), submission.requirements(), processor.name(), maxAttempts, timeoutMs,
                json(options), idempotencyKey, tenant, metadata.isEmpty() ? null : json(metadata),
                submission.warnings().isEmpty() ? null : json(submission.warnings()), tasks, links,
                submission.callback(), budget);
    }

    /** A data flow's identity: the validator rejects two flows with the same three. */
    private record FlowKey(String from, String to, String dataType) {
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("parsed JSON values always serialise", e);
        }
    }
}
