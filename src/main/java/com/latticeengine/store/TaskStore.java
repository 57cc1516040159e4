package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The task repository of the hot path: claim, complete, fail, heartbeat, reap, hand back.
 * Each method is one transaction that keeps the counter invariant: for every WAITING or READY
 * task, remaining_inputs = its distinct upstream tasks that have not reached a final state that
 * releases it, and a task is READY exactly when that number is zero.
 */
@ApplicationScoped
public class TaskStore {

    /**
     * A finished processor call, identified by its fencing token. A non-null {@code cacheKey}
     * offers the output to later tasks with the same key. A non-null {@code reviewReason} (why the
     * output trips the task's review gate) stops the task at AWAITING_REVIEW; such an output is
     * never cached, since a person may yet reject it.
     */
    public record Success(long taskId, int attempt, String outputJson, AttemptUsage usage, String cacheKey,
                          String reviewReason) {

        public Success(long taskId, int attempt, String outputJson, AttemptUsage usage, String cacheKey) {
            this(taskId, attempt, outputJson, usage, cacheKey, null);
        }

        public Success(long taskId, int attempt, String outputJson) {
            this(taskId, attempt, outputJson, AttemptUsage.NONE, null);
        }
    }

    /** What a transaction changed, so the caller can end runs and wake claimers. */
    public record Outcome(Set<Long> applied, Set<UUID> runIds, int madeReady) {
        static Outcome none() {
            return new Outcome(Set.of(), Set.of(), 0);
        }
    }

    private final AgroalDataSource dataSource;

    public TaskStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Claims up to {@code limit} READY tasks that have no shared provider limit. */
    @Transactional
    public List<ClaimedTask> claim(String workerId, int limit, long leaseMs) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            applySettings(c, TaskSql.CLAIM_SETTINGS);
            return claim(c, TaskSql.CLAIM, workerId, limit, leaseMs);
        }
    }

    /**
     * Claims READY tasks that share a provider limit, never letting more than {@code cap} of them
     * run at once across all replicas, and skipping keys on a rate-limit hold.
     */
    @Transactional
    public List<ClaimedTask> claimLimited(String workerId, int limit, long leaseMs, int cap) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            applySettings(c, TaskSql.CLAIM_SETTINGS);
            try (PreparedStatement ps = c.prepareStatement(TaskSql.LOCK_LIMITED_CLAIMS)) {
                ps.execute();
            }
            int running;
            try (PreparedStatement ps = c.prepareStatement(TaskSql.RUNNING_LIMITED); ResultSet rs = ps.executeQuery()) {
                rs.next();
                running = rs.getInt(1);
            }
            int allowed = Math.min(limit, cap - running);
            return allowed <= 0 ? List.of() : claim(c, TaskSql.CLAIM_LIMITED, workerId, allowed, leaseMs);
        }
    }

    private static List<ClaimedTask> claim(Connection c, String sql, String workerId, int limit, long leaseMs)
            throws SQLException {
        List<ClaimedTask> claimed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, 2 * limit);
            ps.setInt(2, limit);
            ps.setString(3, workerId);
            ps.setLong(4, leaseMs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new ClaimedTask(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getString(4), rs.getInt(5), rs.getString(6), rs.getString(7), rs.getLong(8),
                            rs.getString(9), rs.getString(10), rs.getInt(11)));
                }
            }
        }
        return claimed;
    }

    public Optional<String> cachedOutput(String cacheKey) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(TaskSql.CACHED_OUTPUT)) {
            ps.setString(1, cacheKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public Map<Long, List<InputRow>> inputsOf(Collection<Long> taskIds) throws SQLException {
        Map<Long, List<InputRow>> inputs = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(TaskSql.INPUTS)) {
            ps.setArray(1, Jdbc.longs(c, taskIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    InputRow row = new InputRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getBoolean(5), TaskState.valueOf(rs.getString(6)), rs.getString(7), rs.getString(8),
                            rs.getString(9));
                    inputs.computeIfAbsent(row.toTask(), k -> new ArrayList<>()).add(row);
                }
            }
        }
        return inputs;
    }

    /** Marks the still-fenced successes SUCCEEDED and releases their downstream tasks, all or nothing. */
    @Transactional
    public Outcome completeSucceeded(String workerId, List<Success> batch) throws SQLException {
        if (batch.isEmpty()) {
            return Outcome.none();
        }
        // An older attempt of a task this worker claimed again can never pass the fence.
        Map<Long, Success> latest = new LinkedHashMap<>();
        batch.forEach(s -> latest.merge(s.taskId(), s, (a, b) -> a.attempt() >= b.attempt() ? a : b));
        List<Success> successes = List.copyOf(latest.values());
        try (Connection c = dataSource.getConnection()) {
            applySettings(c, TaskSql.BY_ID_SETTINGS);
            Set<Long> applied = new LinkedHashSet<>();
            Set<Long> succeeded = new LinkedHashSet<>();
            Set<UUID> runIds = new LinkedHashSet<>();
            boolean freedLimitedSlot = false;
            try (PreparedStatement ps = c.prepareStatement(TaskSql.MARK_SUCCEEDED)) {
                ps.setString(1, Jdbc.resultsById(successes));
                ps.setArray(2, Jdbc.longs(c, successes.stream().map(Success::taskId).toList()));
                ps.setString(3, workerId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        applied.add(rs.getLong(1));
                        runIds.add(rs.getObject(2, UUID.class));
                        freedLimitedSlot |= rs.getBoolean(3);
                        if (TaskState.valueOf(rs.getString(4)) == TaskState.SUCCEEDED) {
                            succeeded.add(rs.getLong(1));
                        }
                    }
                }
            }
            if (applied.isEmpty()) {
                return Outcome.none();
            }
            List<Success> fenced = successes.stream().filter(s -> succeeded.contains(s.taskId())).toList();
            cacheOutputs(c, fenced.stream().filter(s -> s.cacheKey() != null && !s.usage().cached()).toList());
            // A task awaiting review releases nothing: its downstream waits for the decision.
            int madeReady = succeeded.isEmpty() ? 0 : releaseDownstream(c, succeeded);
            if (madeReady > 0 || freedLimitedSlot) {
                // A freed slot under a cluster-wide cap lets any replica claim a waiting limited task.
                notifyReady(c);
            }
            return new Outcome(applied, runIds, madeReady);
        }
    }

    /**
     * Records a failed attempt ({@code outcome} FAILED or TIMED_OUT). While attempts remain and the
     * error is retryable the task waits out its backoff as READY; otherwise it is FAILED and
     * its downstream is blocked or released in the same transaction.
     */
    @Transactional
    public Outcome failAttempt(String workerId, long taskId, int attempt, AttemptOutcome outcome, String error,
                               boolean retryable, long backoffMs) throws SQLException {
        return failAttempt(workerId, taskId, attempt, outcome, error, retryable, backoffMs, AttemptUsage.NONE);
    }

    /** As above, keeping what the attempt's model calls used on its attempt row. */
    @Transactional
    public Outcome failAttempt(String workerId, long taskId, int attempt, AttemptOutcome outcome, String error,
                               boolean retryable, long backoffMs, AttemptUsage usage) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            TaskState state;
            UUID runId;
            boolean freedLimitedSlot;
            try (PreparedStatement ps = c.prepareStatement(TaskSql.MARK_FAILED_OR_RETRY)) {
                ps.setBoolean(1, retryable);
                ps.setLong(2, backoffMs);
                ps.setString(3, error);
                ps.setLong(4, taskId);
                ps.setInt(5, attempt);
                ps.setString(6, workerId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Outcome.none();
                    }
                    state = TaskState.valueOf(rs.getString(1));
                    runId = rs.getObject(2, UUID.class);
                    freedLimitedSlot = rs.getBoolean(3);
                }
            }
            closeAttempts(c, List.of(new AttemptEnd(taskId, attempt, outcome, error)));
            if (!usage.equals(AttemptUsage.NONE)) {
                recordFailedUsage(c, workerId, taskId, attempt, usage);
            }
            int madeReady = state == TaskState.FAILED ? propagateFailure(c, Set.of(taskId)) : 0;
            if (madeReady > 0 || freedLimitedSlot) {
                notifyReady(c);
            }
            return new Outcome(Set.of(taskId), Set.of(runId), madeReady);
        }
    }

    /**
     * A rate-limited attempt: the task is READY again after {@code delayMs} without spending an
     * attempt, and every task with the same limit key is held cluster-wide for as long.
     */
    @Transactional
    public Outcome deferRateLimited(String workerId, long taskId, int attempt, String limitKey, long delayMs,
                                    String error) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            UUID runId;
            try (PreparedStatement ps = c.prepareStatement(TaskSql.DEFER_RATE_LIMITED)) {
                ps.setLong(1, delayMs);
                ps.setString(2, error);
                ps.setLong(3, taskId);
                ps.setInt(4, attempt);
                ps.setString(5, workerId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Outcome.none();
                    }
                    runId = rs.getObject(1, UUID.class);
                }
            }
            if (limitKey != null) {
                try (PreparedStatement ps = c.prepareStatement(TaskSql.HOLD_LIMIT)) {
                    ps.setString(1, limitKey);
                    ps.setLong(2, delayMs);
                    ps.executeUpdate();
                }
            }
            closeAttempts(c, List.of(new AttemptEnd(taskId, attempt, AttemptOutcome.RATE_LIMITED, error)));
            return new Outcome(Set.of(taskId), Set.of(runId), 0);
        }
    }

    /** Extends this worker's leases; returns the ids it still holds (the rest were taken from it). */
    @Transactional
    public Set<Long> heartbeat(String workerId, Map<Long, Integer> attempts, long leaseMs) throws SQLException {
        Set<Long> held = new LinkedHashSet<>();
        if (attempts.isEmpty()) {
            return held;
        }
        try (Connection c = dataSource.getConnection()) {
            applySettings(c, TaskSql.BY_ID_SETTINGS);
            try (PreparedStatement ps = c.prepareStatement(TaskSql.HEARTBEAT)) {
                ps.setString(1, Jdbc.attemptsById(attempts));
                ps.setLong(2, leaseMs);
                ps.setArray(3, Jdbc.longs(c, attempts.keySet()));
                ps.setString(4, workerId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        held.add(rs.getLong(1));
                    }
                }
            }
        }
        return held;
    }

    /** The fencing tokens of tasks RUNNING under this worker for at least {@code minAgeMs}. */
    public Map<Long, Integer> claimedBy(String workerId, long minAgeMs) throws SQLException {
        Map<Long, Integer> claimed = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(TaskSql.CLAIMED_BY)) {
            ps.setString(1, workerId);
            ps.setLong(2, minAgeMs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.put(rs.getLong(1), rs.getInt(2));
                }
            }
        }
        return claimed;
    }

    /** Takes back up to {@code limit} tasks whose lease expired; their attempts end LOST. */
    @Transactional
    public Outcome reapExpired(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<AttemptEnd> lost = new ArrayList<>();
            Set<Long> failed = new LinkedHashSet<>();
            Set<UUID> runIds = new LinkedHashSet<>();
            String error = "lease expired: the worker stopped heartbeating";
            try (PreparedStatement ps = c.prepareStatement(TaskSql.REAP_EXPIRED)) {
                ps.setInt(1, limit);
                ps.setString(2, error);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lost.add(new AttemptEnd(rs.getLong(1), rs.getInt(2), AttemptOutcome.LOST, error));
                        if (TaskState.valueOf(rs.getString(3)) == TaskState.FAILED) {
                            failed.add(rs.getLong(1));
                        }
                        runIds.add(rs.getObject(4, UUID.class));
                    }
                }
            }
            if (lost.isEmpty()) {
                return Outcome.none();
            }
            closeAttempts(c, lost);
            int madeReady = lost.size() - failed.size() + (failed.isEmpty() ? 0 : propagateFailure(c, failed));
            notifyIfReady(c, madeReady);
            Set<Long> applied = new LinkedHashSet<>();
            lost.forEach(a -> applied.add(a.taskId()));
            return new Outcome(applied, runIds, madeReady);
        }
    }

    /**
     * Gives this worker's unfinished tasks back as READY (at shutdown, or orphans of a claim
     * whose reply was lost); their attempts end LOST with "handed back: " and the reason.
     */
    @Transactional
    public Outcome handBack(String workerId, Map<Long, Integer> attempts, String reason) throws SQLException {
        if (attempts.isEmpty()) {
            return Outcome.none();
        }
        try (Connection c = dataSource.getConnection()) {
            List<AttemptEnd> lost = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(TaskSql.HAND_BACK)) {
                ps.setString(1, Jdbc.attemptsById(attempts));
                ps.setArray(2, Jdbc.longs(c, attempts.keySet()));
                ps.setString(3, workerId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lost.add(new AttemptEnd(rs.getLong(1), rs.getInt(2), AttemptOutcome.LOST, "handed back: " + reason));
                    }
                }
            }
            closeAttempts(c, lost);
            notifyIfReady(c, lost.size());
            Set<Long> applied = new LinkedHashSet<>();
            lost.forEach(a -> applied.add(a.taskId()));
            return new Outcome(applied, Set.of(), lost.size());
        }
    }

    /** Ends the given runs if none of their tasks is unfinished; returns the runs it ended. */
    public Set<UUID> finishRuns(Collection<UUID> runIds) throws SQLException {
        Set<UUID> finished = new LinkedHashSet<>();
        if (runIds.isEmpty()) {
            return finished;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(TaskSql.FINISH_RUNS)) {
            ps.setArray(1, c.createArrayOf("uuid", runIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    finished.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return finished;
    }

    public Set<UUID> runningRuns() throws SQLException {
        Set<UUID> running = new LinkedHashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(TaskSql.RUNNING_RUNS);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                running.add(rs.getObject(1, UUID.class));
            }
        }
        return running;
    }

    record AttemptEnd(long taskId, int attempt, AttemptOutcome outcome, String error) {
    }

    static void recordFailedUsage(Connection c, String workerId, long taskId, int attempt, AttemptUsage usage)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TaskSql.RECORD_FAILED_USAGE)) {
            ps.setString(1, usage.model());
            ps.setObject(2, usage.inputTokens());
            ps.setObject(3, usage.outputTokens());
            ps.setObject(4, usage.latencyMs());
            ps.setObject(5, usage.costUsd() == null || !Double.isFinite(usage.costUsd()) ? null
                    : java.math.BigDecimal.valueOf(usage.costUsd()));
            ps.setObject(6, usage.calls());
            ps.setLong(7, taskId);
            ps.setInt(8, attempt);
            ps.setString(9, workerId);
            ps.executeUpdate();
        }
    }

    static void closeAttempts(Connection c, List<AttemptEnd> ends) throws SQLException {
        if (ends.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(TaskSql.CLOSE_ATTEMPTS)) {
            ps.setArray(1, Jdbc.longs(c, ends.stream().map(AttemptEnd::taskId).toList()));
            ps.setArray(2, Jdbc.ints(c, ends.stream().map(AttemptEnd::attempt).toList()));
            ps.setArray(3, Jdbc.texts(c, ends.stream().map(e -> e.outcome().name()).toList()));
            ps.setArray(4, Jdbc.texts(c, ends.stream().map(AttemptEnd::error).toList()));
            ps.executeUpdate();
        }
    }

    private static void cacheOutputs(Connection c, List<Success> successes) throws SQLException {
        if (successes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(TaskSql.CACHE_OUTPUTS)) {
            ps.setArray(1, Jdbc.texts(c, successes.stream().map(Success::cacheKey).toList()));
            ps.setArray(2, Jdbc.texts(c, successes.stream().map(Success::outputJson).toList()));
            ps.executeUpdate();
        }
    }

    static void notifyIfReady(Connection c, int madeReady) throws SQLException {
        if (madeReady > 0) {
            notifyReady(c);
        }
    }

    /** Transaction-local planner and commit settings; see TaskSql.CLAIM_SETTINGS and BY_ID_SETTINGS. */
    private static void applySettings(Connection c, String settings) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(settings)) {
            ps.execute();
        }
    }

    static void notifyReady(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TaskSql.NOTIFY_READY)) {
            ps.execute();
        }
    }

    /** Returns how many downstream tasks became READY. */
    static int releaseDownstream(Connection c, Collection<Long> finishedUpstream) throws SQLException {
        int ready = 0;
        try (PreparedStatement ps = c.prepareStatement(TaskSql.RELEASE_DOWNSTREAM)) {
            ps.setArray(1, Jdbc.longs(c, finishedUpstream));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (TaskState.valueOf(rs.getString(2)) == TaskState.READY) {
                        ready++;
                    }
                }
            }
        }
        return ready;
    }

    /**
     * Walks down from tasks that ended without success, level by level: required links block
     * (and the blocked tasks become the next level), optional links release. Returns how many
     * tasks became READY through optional links.
     */
    static int propagateFailure(Connection c, Set<Long> failed) throws SQLException {
        int ready = 0;
        List<Long> frontier = new ArrayList<>(failed);
        while (!frontier.isEmpty()) {
            List<Long> blocked = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(TaskSql.BLOCK_REQUIRED_DOWNSTREAM)) {
                ps.setArray(1, Jdbc.longs(c, frontier));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        blocked.add(rs.getLong(1));
                    }
                }
            }
            ready += releaseDownstream(c, frontier);
            frontier = blocked;
        }
        return ready;
    }
}
