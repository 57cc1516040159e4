package com.latticeengine.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.latticeengine.processing.OverBudgetException;
import com.latticeengine.processing.ProcessingException;
import com.latticeengine.processing.Processor;
import com.latticeengine.processing.ProcessorResult;
import com.latticeengine.processing.Processors;
import com.latticeengine.processing.RateLimitedException;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.TaskInput;
import com.latticeengine.processing.Usage;
import com.latticeengine.review.ReviewGates;
import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.AttemptUsage;
import com.latticeengine.store.BudgetStore;
import com.latticeengine.store.ClaimedTask;
import com.latticeengine.store.InputRow;
import com.latticeengine.store.ReviewStore;
import com.latticeengine.store.TaskState;
import com.latticeengine.store.TaskStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Runs claimed tasks' processors on this replica's worker threads, outside any transaction and
 * each within its attempt's deadline, and hands every result to the recorder. It never writes a
 * result itself.
 */
@ApplicationScoped
public class TaskExecutor {

    private static final Logger LOG = Logger.getLogger(TaskExecutor.class);
    /** The run option and project field that hold a review gate. */
    private static final String REVIEW = "review";
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final Processors processors;
    private final TaskStore store;
    private final ReviewStore reviews;
    private final LeaseBoundRetry retry;
    private final Recorder recorder;
    private final ObjectMapper mapper;
    private final BudgetStore budgets;
    private final String workerId;
    /** Resolves the map type once: readValue(json, TypeReference) resolved it again for every task. */
    private final ObjectReader mapReader;
    private final Map<Long, Execution> running = new ConcurrentHashMap<>();
    private ExecutorService threads;
    private Deadlines deadlines;

    public TaskExecutor(Processors processors, TaskStore store, ReviewStore reviews, LeaseBoundRetry retry,
                        Recorder recorder, ObjectMapper mapper, BudgetStore budgets, WorkerIdentity identity) {
        this.processors = processors;
        this.store = store;
        this.reviews = reviews;
        this.retry = retry;
        this.recorder = recorder;
        this.mapper = mapper;
        this.mapReader = mapper.readerFor(MAP);
        this.budgets = budgets;
        this.workerId = identity.id();
    }

    void start(int slots) {
        AtomicInteger threadNo = new AtomicInteger();
        threads = Executors.newFixedThreadPool(slots, r -> new Thread(r, "lattice-worker-" + threadNo.incrementAndGet()));
        deadlines = new Deadlines();
    }

    /**
     * Runs the task on a worker thread; once its result is with the recorder, {@code onDone}
     * gets how long the task took.
     */
    void execute(ClaimedTask task, List<InputRow> inputs, LongConsumer onDone) {
        Execution execution = new Execution(task);
        running.put(task.id(), execution);
        threads.execute(() -> {
            long started = System.nanoTime();
            try {
                recorder.submit(task, run(execution, inputs));
            } finally {
                running.remove(task.id());
                onDone.accept(System.nanoTime() - started);
            }
        });
    }

    int runningCount() {
        return running.size();
    }

    /** The fencing tokens of the tasks whose processors run here. */
    Map<Long, Integer> runningAttempts() {
        Map<Long, Integer> attempts = new HashMap<>();
        running.forEach((id, execution) -> attempts.put(id, execution.task.attempt()));
        return attempts;
    }

    /** The task was taken from this replica: stop its processor; its result will be abandoned. */
    void revoke(long taskId, int attempt) {
        Execution execution = running.get(taskId);
        if (execution != null && execution.task.attempt() == attempt) {
            execution.stop(Execution.Stop.REVOKED);
        }
    }

    /** Waits until no processor runs, or the deadline passes. */
    void awaitIdle(long deadlineNanos) {
        while (!running.isEmpty() && System.nanoTime() < deadlineNanos) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops every processor still running (their results are abandoned), then the threads. */
    void stop() {
        if (threads == null) {
            return;
        }
        running.values().forEach(execution -> execution.stop(Execution.Stop.SHUTDOWN));
        threads.shutdownNow();
        deadlines.stop();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private AttemptResult run(Execution execution, List<InputRow> inputRows) {
        ClaimedTask task = execution.task;
        Optional<Processor> processor = processors.find(task.processor());
        if (processor.isEmpty()) {
            return failed("no processor named '" + task.processor() + "' on this replica", false);
        }
        TaskContext context;
        try {
            context = context(task, inputRows);
        } catch (JsonProcessingException e) {
            return failed("stored task data is not valid JSON: " + e.getOriginalMessage(), false);
        }
        String cacheKey = cacheEnabled(context) ? processor.get().cacheKey(context).orElse(null) : null;
        // A reviewer who rejected an output asked for a new one: a cached answer to the same prompt is not that.
        Optional<String> cached = cacheKey == null || context.reviewComment() != null ? Optional.empty()
                : retry.call("look up a cached output", () -> store.cachedOutput(cacheKey)).flatMap(hit -> hit);
        if (cached.isPresent()) {
            return succeeded(context, cached.get(), AttemptUsage.CACHED, cacheKey);
        }
        ScheduledFuture<?> deadline = deadlines.after(task.timeoutMs(), () -> execution.stop(Execution.Stop.TIMED_OUT));
        try {
            if (!execution.enterProcessor()) {
                return stopped(execution.leaveProcessor(), task);
            }
            ProcessorResult result = processor.get().process(context);
            Execution.Stop stop = execution.leaveProcessor();
            return stop == Execution.Stop.NONE
                    ? succeeded(context, result.output().toString(), usage(result), cacheKey)
                    : stopped(stop, task);
        } catch (InterruptedException e) {
            return stopped(execution.leaveProcessor(), task);
        } catch (RateLimitedException e) {
            Execution.Stop stop = execution.leaveProcessor();
            return stop == Execution.Stop.NONE ? new AttemptResult.RateLimited(e.retryAfter().toMillis(), e.getMessage())
                    : stopped(stop, task);
        } catch (OverBudgetException e) {
            Execution.Stop stop = execution.leaveProcessor();
            return stop == Execution.Stop.NONE ? new AttemptResult.OverBudget(e.neededTokens(), e.neededCostUsd(),
                    e.getMessage(), usage(e.usage())) : stopped(stop, task);
        } catch (ProcessingException e) {
            Execution.Stop stop = execution.leaveProcessor();
            return stop == Execution.Stop.NONE
                    ? new AttemptResult.Failed(AttemptOutcome.FAILED, e.getMessage(), e.retryable(), usage(e.usage()))
                    : stopped(stop, task);
        } catch (RuntimeException e) {
            Execution.Stop stop = execution.leaveProcessor();
            LOG.warnf(e, "processor %s crashed on task %s", task.processor(), task.name());
            return stop == Execution.Stop.NONE ? failed("processor error: " + e, true) : stopped(stop, task);
        } finally {
            deadline.cancel(false);
        }
    }

    /** A success, checked against the task's review gate: an output that trips it will await review. */
    private AttemptResult succeeded(TaskContext context, String outputJson, AttemptUsage usage, String cacheKey) {
        Object runGate = context.runOptions().get(REVIEW);
        Object projectGate = context.project().get(REVIEW);
        if (runGate == null && projectGate == null) {
            // Most runs have no gate: their outputs are not parsed again here.
            return new AttemptResult.Succeeded(outputJson, usage, cacheKey, null);
        }
        Optional<String> review;
        try {
            review = ReviewGates.check(runGate, projectGate, mapper.readTree(outputJson));
        } catch (JsonProcessingException e) {
            review = Optional.of("the output could not be read for its review gate: " + e.getOriginalMessage());
        }
        return new AttemptResult.Succeeded(outputJson, usage, cacheKey, review.orElse(null));
    }

    private static AttemptResult failed(String error, boolean retryable) {
        return new AttemptResult.Failed(AttemptOutcome.FAILED, error, retryable);
    }

    private static AttemptResult stopped(Execution.Stop stop, ClaimedTask task) {
        return switch (stop) {
            case TIMED_OUT -> new AttemptResult.Failed(AttemptOutcome.TIMED_OUT,
                    "attempt timed out after " + task.timeoutMs() + " ms", true);
            case REVOKED, SHUTDOWN -> new AttemptResult.Abandoned();
            case NONE -> failed("processor was interrupted", true);
        };
    }

    private static boolean cacheEnabled(TaskContext context) {
        return !Boolean.FALSE.equals(context.runOptions().get("cache"));
    }

    private static AttemptUsage usage(ProcessorResult result) {
        return usage(result.usage());
    }

    private static AttemptUsage usage(Usage u) {
        return u == null ? AttemptUsage.NONE
                : new AttemptUsage(u.model(), u.inputTokens(), u.outputTokens(), u.latencyMs(), u.costUsd(), false,
                        u.calls());
    }

    private TaskContext context(ClaimedTask task, List<InputRow> rows) throws JsonProcessingException {
        List<TaskInput> inputs = new ArrayList<>(rows.size());
        for (InputRow row : rows) {
            boolean available = row.fromState() == TaskState.SUCCEEDED;
            inputs.add(new TaskInput(row.fromProject(), row.relation(), row.dataType(), row.required(),
                    available ? mapper.readTree(row.outputJson()) : null,
                    available ? null : missingReason(row),
                    row.flowJson() == null ? null : mapReader.readValue(row.flowJson())));
        }
        return new TaskContext(task.runId(), task.requirements(), task.name(), mapReader.readValue(task.projectJson()),
                inputs, task.attempt(), mapReader.readValue(task.runOptionsJson()), task.priority() == 1,
                rejectComment(task), new AttemptBudget(budgets, retry, task, workerId));
    }

    /** Only a task's later attempts can follow a reject; the first one skips the look-up. */
    private String rejectComment(ClaimedTask task) {
        if (task.attempt() == 1) {
            return null;
        }
        return retry.call("look up a review comment", () -> reviews.rejectComment(task.id()))
                .flatMap(comment -> comment).orElse(null);
    }

    private static String missingReason(InputRow row) {
        String reason = "upstream " + row.fromProject() + " ended " + row.fromState();
        return row.error() == null ? reason : reason + ": " + row.error();
    }
}
