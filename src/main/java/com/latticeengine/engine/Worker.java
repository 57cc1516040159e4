package com.latticeengine.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.processing.ProcessingException;
import com.latticeengine.processing.Processor;
import com.latticeengine.processing.ProcessorResult;
import com.latticeengine.processing.RateLimitedException;
import com.latticeengine.processing.Usage;
import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.AttemptUsage;
import com.latticeengine.processing.Processors;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.TaskInput;
import com.latticeengine.store.ClaimedTask;
import com.latticeengine.store.InputRow;
import com.latticeengine.store.TaskState;
import com.latticeengine.store.TaskStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This replica's worker pool: claims as many READY tasks as it has free slots, runs each
 * processor outside any transaction, and records the result through the fenced store calls.
 */
@ApplicationScoped
public class Worker {

    private static final Logger LOG = Logger.getLogger(Worker.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private sealed interface Result {
    }

    private record Succeeded(String outputJson, AttemptUsage usage, String cacheKey) implements Result {
    }

    /** The provider asked us to slow down: give the task back unharmed and hold its limit key. */
    private record RateLimited(long delayMs, String error) implements Result {
    }

    /** {@code usage}: what the processor's calls used before it failed (NONE without calls). */
    private record Failed(AttemptOutcome outcome, String error, boolean retryable, AttemptUsage usage) implements Result {
        Failed(AttemptOutcome outcome, String error, boolean retryable) {
            this(outcome, error, retryable, AttemptUsage.NONE);
        }
    }

    /** Someone else owns the task now (reaped, cancelled, handed back): record nothing. */
    private record Abandoned() implements Result {
    }

    private final LatticeConfig.Worker config;
    private final TaskStore store;
    private final Processors processors;
    private final Backoff backoff;
    private final DatabaseState database;
    private final ObjectMapper mapper;
    /** Resolves the map type once: readValue(json, TypeReference) resolved it again for every task. */
    private final ObjectReader mapReader;
    private final String workerId;
    private final Completer completer;
    private final EngineEvents events;
    private final int limitedCap;

    private final Map<Long, Execution> running = new ConcurrentHashMap<>();
    private final Semaphore wakeups = new Semaphore(0);
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private final int gatherTarget;
    /**
     * Claimed tasks this replica may hold before they are committed: running ones plus successes
     * waiting for the completer. A slot frees when its processor returns, so with fast processors
     * claims outran the commits: thousands of successes piled up, every lease renewal carried all
     * of them, and a crash would have handed them all to the reaper. Two full completer batches
     * of slack keep its batches full.
     */
    private final int maxHeld;
    /** The last claim filled every free slot, so more READY tasks are probably waiting. */
    private volatile boolean backlog;
    private volatile boolean accepting;
    /** A claim failed in a way that may have committed anyway: the lease keeper looks for orphans. */
    private final AtomicBoolean claimUncertain = new AtomicBoolean();
    private volatile Instant lastPoll = Instant.now();
    private Semaphore slots;
    private SlotTurnover turnover;
    private ExecutorService executor;
    private Deadlines deadlines;
    private Thread claimer;

    public Worker(LatticeConfig config, TaskStore store, Processors processors, Backoff backoff,
                  DatabaseState database, ObjectMapper mapper, WorkerIdentity identity, Completer completer,
                  EngineEvents events) {
        this.config = config.worker();
        this.store = store;
        this.processors = processors;
        this.backoff = backoff;
        this.database = database;
        this.mapper = mapper;
        this.mapReader = mapper.readerFor(MAP);
        this.workerId = identity.id();
        this.completer = completer;
        this.events = events;
        this.limitedCap = config.llm().maxConcurrent();
        this.gatherTarget = Math.max(1, config.worker().concurrency() / 4);
        this.maxHeld = config.worker().concurrency() + 2 * Completer.MAX_BATCH;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("worker disabled (lattice.worker.enabled=false): this replica serves the API only");
            return;
        }
        int concurrency = config.concurrency();
        slots = new Semaphore(concurrency);
        turnover = new SlotTurnover(concurrency);
        AtomicInteger threadNo = new AtomicInteger();
        executor = Executors.newFixedThreadPool(concurrency,
                r -> new Thread(r, "lattice-worker-" + threadNo.incrementAndGet()));
        deadlines = new Deadlines();
        accepting = true;
        claimer = new Thread(this::claimLoop, "lattice-claimer");
        claimer.start();
        LOG.infof("worker %s started with %d slots", workerId, concurrency);
        wake();
    }

    /** The fallback poll: a wake-up lost or never sent costs at most one interval. */
    @Scheduled(every = "${lattice.worker.poll-interval}", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        wake();
    }

    /**
     * Asks the claimer thread to claim now. Cheap and safe from any thread (HTTP, worker,
     * scheduler): wake-ups that arrive while it is claiming collapse into one more round.
     */
    public void wake() {
        if (wakeups.availablePermits() == 0) {
            wakeups.release();
        }
    }

    /** The single claimer of this replica: one claim statement per round, as many tasks as free slots. */
    private void claimLoop() {
        while (accepting) {
            try {
                wakeups.acquire();
                gatherSlots();
                wakeups.drainPermits();
                lastPoll = Instant.now();
                claimOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("claim round failed", e);
            }
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    public Instant lastPoll() {
        return lastPoll;
    }

    public String workerId() {
        return workerId;
    }

    /** The fencing tokens of the tasks this replica is running, for the lease keeper. */
    Map<Long, Integer> runningAttempts() {
        Map<Long, Integer> attempts = new HashMap<>();
        running.forEach((id, execution) -> attempts.put(id, execution.task.attempt()));
        return attempts;
    }

    /** Running tasks plus finished ones whose success is not committed yet: every lease this replica needs. */
    Map<Long, Integer> heldAttempts() {
        Map<Long, Integer> attempts = new HashMap<>(completer.unrecordedAttempts());
        attempts.putAll(runningAttempts());
        return attempts;
    }

    /** True once after a claim failed; the caller then checks for tasks claimed without our knowing. */
    boolean takeClaimUncertain() {
        return claimUncertain.getAndSet(false);
    }

    void markClaimUncertain() {
        claimUncertain.set(true);
    }

    /** The task was taken from this replica: stop its processor and record nothing. */
    void revoke(long taskId, int attempt) {
        Execution execution = running.get(taskId);
        if (execution != null && execution.task.attempt() == attempt) {
            execution.stop(Execution.Stop.REVOKED);
        }
    }

    /**
     * While READY tasks are queued, a claim round per freed slot would spend a database round
     * trip per task; waiting a few milliseconds for a quarter of the slots to free up lets one
     * claim take several. Without a backlog (a chain, a quiet queue) it claims at once, and also
     * when tasks take so long that those slots would not free up within the wait: then the wait
     * only idles the slots already free (S4 went from 1.046 to 1.019 times its lower bound).
     */
    private void gatherSlots() throws InterruptedException {
        long deadline = System.nanoTime() + GATHER_NANOS;
        while (backlog && slots.availablePermits() < gatherTarget
                && turnover.nanosUntilFree(gatherTarget - slots.availablePermits()) <= GATHER_NANOS
                && System.nanoTime() < deadline) {
            wakeups.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    private void claimOnce() {
        int free = Math.min(slots.availablePermits(), maxHeld - running.size() - completer.backlog());
        if (free <= 0 || !slots.tryAcquire(free)) {
            return;
        }
        List<ClaimedTask> claimed = List.of();
        Map<Long, List<InputRow>> inputs;
        try {
            long claimStarted = System.nanoTime();
            claimed = store.claim(workerId, free, config.lease().toMillis());
            if (claimed.size() < free) {
                claimed = new ArrayList<>(claimed);
                claimed.addAll(store.claimLimited(workerId, free - claimed.size(), config.lease().toMillis(), limitedCap));
            }
            events.claimed(claimed, System.nanoTime() - claimStarted);
            inputs = claimed.isEmpty() ? Map.of() : store.inputsOf(claimed.stream().map(ClaimedTask::id).toList());
            database.succeeded();
        } catch (Exception e) {
            // The claim may have committed without us knowing which tasks it took: the lease keeper hands them back.
            claimUncertain.set(true);
            database.failed("claim READY tasks", e);
            slots.release(free);
            return;
        }
        slots.release(free - claimed.size());
        backlog = claimed.size() == free;
        for (ClaimedTask task : claimed) {
            Execution execution = new Execution(task);
            running.put(task.id(), execution);
            executor.execute(() -> execute(execution, inputs.getOrDefault(task.id(), List.of())));
        }
    }

    private void execute(Execution execution, List<InputRow> inputs) {
        long started = System.nanoTime();
        try {
            record(execution, run(execution, inputs));
        } finally {
            turnover.taskTook(System.nanoTime() - started);
            running.remove(execution.task.id());
            slots.release();
            wake();
        }
    }

    private Result run(Execution execution, List<InputRow> inputRows) {
        ClaimedTask task = execution.task;
        Optional<Processor> processor = processors.find(task.processor());
        if (processor.isEmpty()) {
            return new Failed(AttemptOutcome.FAILED, "no processor named '" + task.processor() + "' on this replica", false);
        }
        TaskContext context;
        try {
            context = context(task, inputRows);
        } catch (JsonProcessingException e) {
            return new Failed(AttemptOutcome.FAILED, "stored task data is not valid JSON: " + e.getOriginalMessage(), false);
        }
        String cacheKey = cacheEnabled(context) ? processor.get().cacheKey(context).orElse(null) : null;
        Optional<String> cached = cacheKey == null ? Optional.empty()
                : withDatabase("look up a cached output", () -> store.cachedOutput(cacheKey)).flatMap(hit -> hit);
        if (cached.isPresent()) {
            return new Succeeded(cached.get(), AttemptUsage.CACHED, cacheKey);
        }
        ScheduledFuture<?> deadline = deadlines.after(task.timeoutMs(), () -> execution.stop(Execution.Stop.TIMED_OUT));
        try {
            if (!execution.enterProcessor()) {
                return stopped(execution.leaveProcessor(), task);
            }
            ProcessorResult result = processor.get().process(context);
            Execution.Stop stop = execution.leaveProcessor();
            return stop == Execution.Stop.NONE ? new Succeeded(result.output().toString(), usage(result), cacheKey)
                    : stopped(stop, task);
        } catch (InterruptedException e) {
            return stopped(execution.leaveProcessor(), task);
        } catch (RateLimitedException e) {
            Execution.Stop stop = execution.leaveProcessor();
            return stop == Execution.Stop.NONE ? new RateLimited(e.retryAfter().toMillis(), e.getMessage())
                    : stopped(stop, task);
        } catch (ProcessingException e) {
            Execution.Stop stop = execution.leaveProcessor();
            return stop == Execution.Stop.NONE
                    ? new Failed(AttemptOutcome.FAILED, e.getMessage(), e.retryable(), usage(e.usage()))
                    : stopped(stop, task);
        } catch (RuntimeException e) {
            Execution.Stop stop = execution.leaveProcessor();
            LOG.warnf(e, "processor %s crashed on task %s", task.processor(), task.name());
            return stop == Execution.Stop.NONE ? new Failed(AttemptOutcome.FAILED, "processor error: " + e, true) : stopped(stop, task);
        } finally {
            deadline.cancel(false);
        }
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

    private static Result stopped(Execution.Stop stop, ClaimedTask task) {
        return switch (stop) {
            case TIMED_OUT -> new Failed(AttemptOutcome.TIMED_OUT, "attempt timed out after " + task.timeoutMs() + " ms", true);
            case REVOKED, SHUTDOWN -> new Abandoned();
            case NONE -> new Failed(AttemptOutcome.FAILED, "processor was interrupted", true);
        };
    }

    private void record(Execution execution, Result result) {
        ClaimedTask task = execution.task;
        long recordStarted = System.nanoTime();
        Optional<TaskStore.Outcome> outcome;
        AttemptOutcome recorded;
        if (result instanceof Succeeded s) {
            completer.submit(new TaskStore.Success(task.id(), task.attempt(), s.outputJson(), s.usage(), s.cacheKey()));
            return;
        } else if (result instanceof RateLimited r) {
            recorded = AttemptOutcome.RATE_LIMITED;
            outcome = withDatabase("defer a rate-limited attempt", () -> store.deferRateLimited(workerId, task.id(),
                    task.attempt(), task.limitKey(), r.delayMs(), r.error()));
        } else if (result instanceof Failed f) {
            recorded = f.outcome();
            outcome = withDatabase("record a failed attempt", () -> store.failAttempt(workerId, task.id(),
                    task.attempt(), f.outcome(), f.error(), f.retryable(), backoff.afterAttempt(task.attempt()),
                    f.usage()));
        } else {
            events.abandoned(task.id());
            return;
        }
        if (outcome.isEmpty()) {
            events.abandoned(task.id());
            return;
        }
        events.resultsWritten(1, System.nanoTime() - recordStarted);
        boolean applied = !outcome.get().applied().isEmpty();
        events.recorded(task.id(), recorded, applied);
        if (!applied) {
            LOG.debugf("late result of %s attempt %d discarded: the task is no longer ours", task.name(),
                    task.attempt());
        }
        finishRuns(outcome.get().runIds());
    }

    void finishRuns(Set<UUID> runIds) {
        if (runIds.isEmpty()) {
            return;
        }
        try {
            store.finishRuns(runIds);
        } catch (Exception e) {
            // The reaper's sweep ends such runs later.
            database.failed("end finished runs", e);
        }
    }

    private interface StoreCall<T> {
        T call() throws Exception;
    }

    /**
     * Retries a result write while the database is away, for as long as the lease would have
     * held the task anyway; after that the reaper has (or will have) given the task to another
     * worker and this result could not pass the fence.
     */
    private <T> Optional<T> withDatabase(String what, StoreCall<T> call) {
        long giveUpAt = System.nanoTime() + config.lease().toNanos();
        while (true) {
            try {
                T value = call.call();
                database.succeeded();
                return Optional.of(value);
            } catch (Exception e) {
                database.failed(what, e);
                if (System.nanoTime() > giveUpAt) {
                    LOG.warnf("gave up recording a result after the lease ran out: %s", e.getMessage());
                    return Optional.empty();
                }
                try {
                    Thread.sleep(config.pollInterval().toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
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
                inputs, task.attempt(), mapReader.readValue(task.runOptionsJson()), task.priority() == 1);
    }

    private static String missingReason(InputRow row) {
        String reason = "upstream " + row.fromProject() + " ended " + row.fromState();
        return row.error() == null ? reason : reason + ": " + row.error();
    }

    /**
     * Graceful stop: claim nothing more, let running tasks finish within the grace period, then
     * hand back the rest so other replicas take them at once instead of after a lease expiry.
     */
    void stop(@Observes ShutdownEvent event) {
        if (executor == null) {
            return;
        }
        accepting = false;
        claimer.interrupt();
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        completer.drain(deadline);
        Map<Long, Integer> left = runningAttempts();
        if (!left.isEmpty()) {
            try {
                int handedBack = store.handBack(workerId, left, "worker " + workerId + " shut down").applied().size();
                LOG.infof("shutdown: handed back %d unfinished task(s)", handedBack);
            } catch (Exception e) {
                LOG.warnf("shutdown: could not hand back %d task(s); their leases expire instead: %s",
                        left.size(), e.getMessage());
            }
            running.values().forEach(execution -> execution.stop(Execution.Stop.SHUTDOWN));
        }
        executor.shutdownNow();
        deadlines.stop();
        completer.drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        completer.stop();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
