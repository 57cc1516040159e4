package com.latticeengine.ops;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.engine.EngineEvents;
import com.latticeengine.processing.ModelCallEvents;
import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.ClaimedTask;
import com.latticeengine.store.QueueQueries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The engine's and the model calls' Prometheus metrics (served at /q/metrics), fed through the
 * engine's {@link EngineEvents} and the processors' {@link ModelCallEvents}. Labels are bounded:
 * outcomes, models (at most {@value #MAX_MODELS}, then "other"), token direction; never run ids,
 * task names or worker ids (Prometheus adds pod labels itself).
 *
 * <ul>
 * <li>lattice_tasks_claimed_total: attempts this replica claimed;</li>
 * <li>lattice_tasks_retried_total: claims of an attempt after the first (a retry after a failure or a lost lease, or a rerun);</li>
 * <li>lattice_tasks_succeeded_total / lattice_tasks_failed_total{outcome=FAILED|TIMED_OUT}: attempt results the store accepted
 *     (a failed attempt may still be retried: compare with _retried_total);</li>
 * <li>lattice_tasks_rate_limited_total: attempts given back unharmed because the provider asked to slow down;</li>
 * <li>lattice_tasks_discarded_total: late results refused by the fence (the task was taken away meanwhile);</li>
 * <li>lattice_tasks_lost_total: RUNNING tasks whose lease expired, reaped by this replica;</li>
 * <li>lattice_queue_ready_tasks / lattice_queue_ready_oldest_age_seconds: claimable READY tasks (all runs) and how long the
 *     oldest has been claimable, re-read at most every lattice.metrics.queue-refresh and only while someone scrapes;</li>
 * <li>lattice_claim_latency_seconds, lattice_completion_latency_seconds, lattice_task_duration_seconds{outcome}: timers;</li>
 * <li>lattice_llm_calls_total{model,outcome}, lattice_llm_tokens_total{model,outcome,direction},
 *     lattice_llm_cost_usd_total{model,outcome}: every model call of the LLM processor (cost only for priced models).</li>
 * </ul>
 */
@ApplicationScoped
public class EngineMetrics implements EngineEvents, ModelCallEvents {

    private static final Logger LOG = Logger.getLogger(EngineMetrics.class);

    /** Model names come from submissions: past this many distinct ones, calls count as model "other". */
    static final int MAX_MODELS = 50;
    static final String ABANDONED = "ABANDONED";

    private final MeterRegistry registry;
    private final QueueQueries queue;
    private final long refreshNanos;

    private final Counter claimed;
    private final Counter retried;
    private final Counter succeeded;
    private final Counter rateLimited;
    private final Counter discarded;
    private final Counter lost;
    private final Map<AttemptOutcome, Counter> failed = new EnumMap<>(AttemptOutcome.class);
    private final Timer claimLatency;
    private final Timer completionLatency;
    private final Map<AttemptOutcome, Timer> durations = new EnumMap<>(AttemptOutcome.class);
    private final Timer abandonedDuration;
    private final Map<Long, Long> claimedAt = new ConcurrentHashMap<>();
    private final Set<String> models = ConcurrentHashMap.newKeySet();

    private volatile double readyTasks = Double.NaN;
    private volatile double oldestReadyAgeSeconds = Double.NaN;
    private volatile long lastRefresh;
    private volatile long lastScrape;

    public EngineMetrics(MeterRegistry registry, QueueQueries queue, LatticeConfig config) {
        this.registry = registry;
        this.queue = queue;
        this.refreshNanos = config.metrics().queueRefresh().toNanos();
        this.lastRefresh = System.nanoTime() - refreshNanos;
        this.lastScrape = System.nanoTime() - TimeUnit.MINUTES.toNanos(10);
        claimed = Counter.builder("lattice.tasks.claimed").description("Task attempts claimed by this replica").register(registry);
        retried = Counter.builder("lattice.tasks.retried")
                .description("Claims of an attempt after the first (retry after failure or lost lease, or rerun)")
                .register(registry);
        succeeded = Counter.builder("lattice.tasks.succeeded").description("Successful attempts recorded").register(registry);
        for (AttemptOutcome outcome : List.of(AttemptOutcome.FAILED, AttemptOutcome.TIMED_OUT)) {
            failed.put(outcome, Counter.builder("lattice.tasks.failed").tag("outcome", outcome.name())
                    .description("Failed attempts recorded (they may be retried)").register(registry));
        }
        rateLimited = Counter.builder("lattice.tasks.rate.limited")
                .description("Attempts given back unharmed because the provider asked to slow down").register(registry);
        discarded = Counter.builder("lattice.tasks.discarded")
                .description("Late results refused by the fence because the task was no longer ours").register(registry);
        lost = Counter.builder("lattice.tasks.lost").description("Tasks whose lease expired, returned by this replica's reaper")
                .register(registry);
        claimLatency = Timer.builder("lattice.claim.latency").description("Duration of one claim statement")
                .register(registry);
        completionLatency = Timer.builder("lattice.completion.latency")
                .description("Duration of recording attempt results in the database (one write)").register(registry);
        for (AttemptOutcome outcome : List.of(AttemptOutcome.SUCCEEDED, AttemptOutcome.FAILED, AttemptOutcome.TIMED_OUT,
                AttemptOutcome.RATE_LIMITED)) {
            durations.put(outcome, duration(outcome.name()));
        }
        abandonedDuration = duration(ABANDONED);
        Gauge.builder("lattice.queue.ready", this, m -> m.scraped(m.readyTasks))
                .description("Claimable READY tasks in all runs (capped at " + QueueQueries.COUNT_CAP + ")")
                .baseUnit("tasks").register(registry);
        Gauge.builder("lattice.queue.ready.oldest.age", this, m -> m.scraped(m.oldestReadyAgeSeconds))
                .description("How long the oldest claimable READY task has waited").baseUnit("seconds").register(registry);
    }

    private Timer duration(String outcome) {
        return Timer.builder("lattice.task.duration").tag("outcome", outcome)
                .description("From claim to recorded result, per attempt").register(registry);
    }

    @Override
    public void claimed(List<ClaimedTask> tasks, long claimNanos) {
        claimLatency.record(claimNanos, TimeUnit.NANOSECONDS);
        long now = System.nanoTime();
        for (ClaimedTask task : tasks) {
            claimed.increment();
            if (task.attempt() > 1) {
                retried.increment();
            }
            claimedAt.put(task.id(), now);
        }
    }

    @Override
    public void recorded(long taskId, AttemptOutcome outcome, boolean applied) {
        endDuration(taskId, durations.get(outcome));
        if (!applied) {
            discarded.increment();
        } else if (outcome == AttemptOutcome.SUCCEEDED) {
            succeeded.increment();
        } else if (outcome == AttemptOutcome.RATE_LIMITED) {
            rateLimited.increment();
        } else if (failed.containsKey(outcome)) {
            failed.get(outcome).increment();
        }
    }

    @Override
    public void resultsWritten(int results, long nanos) {
        completionLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void abandoned(long taskId) {
        endDuration(taskId, abandonedDuration);
    }

    private void endDuration(long taskId, Timer timer) {
        Long started = claimedAt.remove(taskId);
        if (started != null && timer != null) {
            timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void lost(int tasks) {
        if (tasks > 0) {
            lost.increment(tasks);
        }
    }

    @Override
    public void modelCalled(String model, String outcome, long inputTokens, long outputTokens, Double costUsd) {
        String label = modelLabel(model);
        Counter.builder("lattice.llm.calls").tag("model", label).tag("outcome", outcome)
                .description("Model calls made by the llm processor").register(registry).increment();
        tokens(label, outcome, "input").increment(Math.max(0, inputTokens));
        tokens(label, outcome, "output").increment(Math.max(0, outputTokens));
        if (costUsd != null && Double.isFinite(costUsd) && costUsd >= 0) {
            Counter.builder("lattice.llm.cost.usd").tag("model", label).tag("outcome", outcome)
                    .description("Estimated cost of the model calls (priced models only), USD").register(registry)
                    .increment(costUsd);
        }
    }

    private String modelLabel(String model) {
        String name = model == null || model.isBlank() ? "unknown" : model;
        if (models.contains(name) || (models.size() < MAX_MODELS && models.add(name))) {
            return name;
        }
        return "other";
    }

    private Counter tokens(String model, String outcome, String direction) {
        return Counter.builder("lattice.llm.tokens").tag("model", model).tag("outcome", outcome)
                .tag("direction", direction).description("Tokens used by the llm processor's model calls")
                .register(registry);
    }

    private double scraped(double value) {
        lastScrape = System.nanoTime();
        return value;
    }

    /** Re-reads the queue gauges off the scrape thread, and only while someone scrapes. */
    @Scheduled(every = "1s", skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshQueue() {
        long now = System.nanoTime();
        if (now - lastRefresh < refreshNanos || now - lastScrape > TimeUnit.MINUTES.toNanos(2)) {
            return;
        }
        lastRefresh = now;
        try {
            QueueQueries.ReadyQueue ready = queue.readyQueue();
            readyTasks = ready.tasks();
            oldestReadyAgeSeconds = ready.oldestAgeSeconds();
        } catch (SQLException | RuntimeException e) {
            readyTasks = Double.NaN;
            oldestReadyAgeSeconds = Double.NaN;
            LOG.debugf("queue gauges not refreshed: %s", e.getMessage());
        }
    }
}
