package com.latticeengine.ops;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.store.ClaimedTask;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The engine's Prometheus metrics (served at /q/metrics). Labels are bounded: outcomes, models,
 * token direction; never run ids, task names or worker ids (Prometheus adds pod labels itself).
 *
 * <ul>
 * <li>lattice_tasks_claimed_total: attempts this replica claimed;</li>
 * <li>lattice_tasks_retried_total: claims of an attempt after the first (a retry after a failure or a lost lease, or a rerun);</li>
 * <li>lattice_tasks_succeeded_total / lattice_tasks_failed_total{outcome=FAILED|TIMED_OUT}: attempt results the store accepted
 *     (a failed attempt may still be retried: compare with _retried_total);</li>
 * <li>lattice_tasks_discarded_total: late results refused by the fence (the task was taken away meanwhile);</li>
 * <li>lattice_tasks_lost_total: RUNNING tasks whose lease expired, reaped by this replica;</li>
 * <li>lattice_queue_ready_tasks / lattice_queue_ready_oldest_age_seconds: claimable READY tasks (all runs) and how long the
 *     oldest has been claimable, re-read at most every lattice.metrics.queue-refresh and only while someone scrapes;</li>
 * <li>lattice_claim_latency_seconds, lattice_completion_latency_seconds, lattice_task_duration_seconds{outcome}: timers;</li>
 * <li>lattice_llm_calls_total{model,outcome}, lattice_llm_tokens_total{model,direction}: for the LLM processor.</li>
 * </ul>
 */
@ApplicationScoped
public class EngineMetrics {

    private static final Logger LOG = Logger.getLogger(EngineMetrics.class);

    /** Counting stops here so the gauge query stays cheap even with a huge backlog. */
    static final int QUEUE_COUNT_CAP = 100_000;

    /** One arm per ready index (see V5__critical_path_first.sql), so each reads only its index. */
    private static final String QUEUE_SQL = """
            SELECT least(count(*), %1$d), COALESCE(EXTRACT(EPOCH FROM now() - min(available_at)), 0)
              FROM ((SELECT available_at FROM task
                      WHERE state = 'READY' AND limit_key IS NULL AND available_at <= now() LIMIT %1$d)
                    UNION ALL
                    (SELECT available_at FROM task
                      WHERE state = 'READY' AND limit_key IS NOT NULL AND available_at <= now() LIMIT %1$d)) ready
            """.formatted(QUEUE_COUNT_CAP);

    private final MeterRegistry registry;
    private final AgroalDataSource dataSource;
    private final long refreshNanos;

    private final Counter claimed;
    private final Counter retried;
    private final Counter succeeded;
    private final Counter discarded;
    private final Counter lost;
    private final Timer claimLatency;
    private final Timer completionLatency;
    private final Map<Long, Long> claimedAt = new ConcurrentHashMap<>();

    private volatile double readyTasks = Double.NaN;
    private volatile double oldestReadyAgeSeconds = Double.NaN;
    private volatile long lastRefresh;
    private volatile long lastScrape;

    public EngineMetrics(MeterRegistry registry, AgroalDataSource dataSource, LatticeConfig config) {
        this.registry = registry;
        this.dataSource = dataSource;
        this.refreshNanos = config.metrics().queueRefresh().toNanos();
        this.lastRefresh = System.nanoTime() - refreshNanos;
        this.lastScrape = System.nanoTime() - TimeUnit.MINUTES.toNanos(10);
        claimed = Counter.builder("lattice.tasks.claimed").description("Task attempts claimed by this replica").register(registry);
        retried = Counter.builder("lattice.tasks.retried")
                .description("Claims of an attempt after the first (retry after failure or lost lease, or rerun)")
                .register(registry);
        succeeded = Counter.builder("lattice.tasks.succeeded").description("Successful attempts recorded").register(registry);
        failed("FAILED");
        failed("TIMED_OUT");
        discarded = Counter.builder("lattice.tasks.discarded")
                .description("Late results refused by the fence because the task was no longer ours").register(registry);
        lost = Counter.builder("lattice.tasks.lost").description("Tasks whose lease expired, returned by this replica's reaper")
                .register(registry);
        claimLatency = Timer.builder("lattice.claim.latency").description("Duration of one claim statement")
                .register(registry);
        completionLatency = Timer.builder("lattice.completion.latency")
                .description("Duration of recording one attempt result in the database").register(registry);
        Gauge.builder("lattice.queue.ready", this, m -> m.scraped(m.readyTasks))
                .description("Claimable READY tasks in all runs (capped at " + QUEUE_COUNT_CAP + ")")
                .baseUnit("tasks").register(registry);
        Gauge.builder("lattice.queue.ready.oldest.age", this, m -> m.scraped(m.oldestReadyAgeSeconds))
                .description("How long the oldest claimable READY task has waited").baseUnit("seconds").register(registry);
    }

    private Counter failed(String outcome) {
        return Counter.builder("lattice.tasks.failed").tag("outcome", outcome)
                .description("Failed attempts recorded (they may be retried)").register(registry);
    }

    /** A claim round took these tasks; {@code nanos} is the claim statement's duration. */
    public void claimed(List<ClaimedTask> tasks, long nanos) {
        claimLatency.record(nanos, TimeUnit.NANOSECONDS);
        long now = System.nanoTime();
        for (ClaimedTask task : tasks) {
            claimed.increment();
            if (task.attempt() > 1) {
                retried.increment();
            }
            claimedAt.put(task.id(), now);
        }
    }

    /**
     * An attempt ended on this replica. {@code outcome} is SUCCEEDED, FAILED, TIMED_OUT or ABANDONED
     * (taken away, cancelled, shut down); {@code applied} whether the fenced write changed the task;
     * {@code recordNanos} how long writing the result took.
     */
    public void finished(ClaimedTask task, String outcome, boolean applied, long recordNanos) {
        Long started = claimedAt.remove(task.id());
        if (started != null) {
            Timer.builder("lattice.task.duration").tag("outcome", outcome)
                    .description("From claim to recorded result, per attempt").register(registry)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        if ("ABANDONED".equals(outcome) || "BATCHED".equals(outcome)) {
            return;
        }
        completionLatency.record(recordNanos, TimeUnit.NANOSECONDS);
        if (!applied) {
            discarded.increment();
        } else if ("SUCCEEDED".equals(outcome)) {
            succeeded.increment();
        } else {
            failed(outcome).increment();
        }
    }

    /**
     * For a caller that records successes in batches (main's Completer): {@code applied} successes
     * the store accepted, {@code refused} late ones the fence refused, one write of {@code nanos}.
     * Such a caller reports the attempt itself through {@link #finished} with outcome "BATCHED",
     * which only ends the task-duration sample.
     */
    public void successesRecorded(int applied, int refused, long nanos) {
        completionLatency.record(nanos, TimeUnit.NANOSECONDS);
        if (applied > 0) {
            succeeded.increment(applied);
        }
        if (refused > 0) {
            discarded.increment(refused);
        }
    }

    /** The reaper returned this many tasks whose lease expired. */
    public void lost(int tasks) {
        if (tasks > 0) {
            lost.increment(tasks);
        }
    }

    /** One call of the LLM processor: {@code outcome} e.g. "ok", "error", "timeout"; keep models a small set. */
    public void llmCall(String model, String outcome, long inputTokens, long outputTokens) {
        Counter.builder("lattice.llm.calls").tag("model", model).tag("outcome", outcome)
                .description("LLM calls made by the llm processor").register(registry).increment();
        if (inputTokens > 0) {
            tokens(model, "input").increment(inputTokens);
        }
        if (outputTokens > 0) {
            tokens(model, "output").increment(outputTokens);
        }
    }

    /** A successful LLM call with its token usage. */
    public void llmCall(String model, long inputTokens, long outputTokens) {
        llmCall(model, "ok", inputTokens, outputTokens);
    }

    private Counter tokens(String model, String direction) {
        return Counter.builder("lattice.llm.tokens").tag("model", model).tag("direction", direction)
                .description("LLM tokens used by the llm processor").register(registry);
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
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(QUEUE_SQL);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            readyTasks = rs.getLong(1);
            oldestReadyAgeSeconds = rs.getDouble(2);
        } catch (SQLException | RuntimeException e) {
            readyTasks = Double.NaN;
            oldestReadyAgeSeconds = Double.NaN;
            LOG.debugf("queue gauges not refreshed: %s", e.getMessage());
        }
    }
}
