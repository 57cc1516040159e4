package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Run budgets: reserve and settle model calls, charge abandoned reservations, defer over-budget calls, PATCH. */
@ApplicationScoped
public class BudgetStore {

    /** What an over-budget deferral did: nothing (the task was no longer ours), or deferred it, maybe pausing the run. */
    public record Deferral(TaskStore.Outcome outcome, boolean overBudget, boolean paused) {
    }

    /** What a run calls, as submitted: its processor, options and distinct project documents (JSON); whether it ended. */
    public record CallScope(String processor, String options, List<String> projects, boolean ended) {
    }

    private final AgroalDataSource dataSource;

    public BudgetStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    static void insert(Connection c, UUID runId, Budget budget) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BudgetSql.INSERT_BUDGET)) {
            ps.setObject(1, runId);
            ps.setObject(2, budget.maxTokens(), Types.BIGINT);
            ps.setBigDecimal(3, budget.maxCostUsd());
            ps.executeUpdate();
        }
    }

    /** The run's call scope; empty when there is no such run. Options and projects never change after submission. */
    public Optional<CallScope> callScope(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String processor;
            String options;
            boolean ended;
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.CALL_SCOPE_RUN)) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    processor = rs.getString(1);
                    options = rs.getString(2);
                    ended = RunState.valueOf(rs.getString(3)).isFinal();
                }
            }
            List<String> projects = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.CALL_SCOPE_PROJECTS)) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        projects.add(rs.getString(1));
                    }
                }
            }
            return Optional.of(new CallScope(processor, options, projects, ended));
        }
    }

    /** Whether the run has any cap (then calls without max_tokens are capped at the reserve allowance). */
    public boolean hasCap(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(BudgetSql.HAS_CAP)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Reserves call {@code call} of this worker's attempt: {@code tokens} and {@code costUsd} (null
     * when the model is unpriced) are its worst case. False when a cap cannot cover it, or the
     * attempt is no longer this worker's.
     */
    public boolean reserve(UUID runId, long taskId, int attempt, String workerId, int call, long tokens,
                           BigDecimal costUsd) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(BudgetSql.RESERVE)) {
            ps.setLong(1, tokens);
            ps.setBigDecimal(2, costUsd);
            ps.setObject(3, runId);
            ps.setLong(4, tokens);
            ps.setBigDecimal(5, costUsd);
            ps.setLong(6, taskId);
            ps.setInt(7, attempt);
            ps.setString(8, workerId);
            ps.setLong(9, taskId);
            ps.setInt(10, attempt);
            ps.setInt(11, call);
            ps.setLong(12, tokens);
            ps.setBigDecimal(13, costUsd);
            return ps.executeUpdate() == 1;
        }
    }

    /** Replaces the call's reservation by what it actually used ({@code costUsd} null = unpriced, counted as 0). */
    public void settle(long taskId, int attempt, int call, long tokens, BigDecimal costUsd) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(BudgetSql.SETTLE)) {
            ps.setLong(1, taskId);
            ps.setInt(2, attempt);
            ps.setInt(3, call);
            ps.setLong(4, tokens);
            ps.setBigDecimal(5, costUsd == null ? BigDecimal.ZERO : costUsd);
            ps.executeUpdate();
        }
    }

    /** Charges in full the reservations of attempts that ended without settling; returns how many budgets changed. */
    @Transactional
    public int chargeAbandoned() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.LOCK_SWEEP); ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.SWEEP_ABANDONED)) {
                return ps.executeUpdate();
            }
        }
    }

    /**
     * Gives an attempt back because its next call could not be reserved: the task is READY again
     * without spending an attempt, the attempt ends OVER_BUDGET keeping what its earlier calls used,
     * and the run is PAUSED (reason budget) when the call could not fit even after the calls in
     * flight settle; otherwise the task waits {@code waitMs} for them.
     */
    @Transactional
    public Deferral deferOverBudget(String workerId, long taskId, int attempt, UUID runId, long neededTokens,
                                    BigDecimal neededCostUsd, String error, AttemptUsage usage, long waitMs)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.LOCK_RUN)) {
                ps.setObject(1, runId);
                ps.executeQuery().close();
            }
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.DEFER_OVER_BUDGET)) {
                ps.setString(1, error);
                ps.setLong(2, taskId);
                ps.setInt(3, attempt);
                ps.setString(4, workerId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new Deferral(TaskStore.Outcome.none(), false, false);
                    }
                }
            }
            TaskStore.closeAttempts(c, List.of(new TaskStore.AttemptEnd(taskId, attempt, AttemptOutcome.OVER_BUDGET, error)));
            if (!usage.equals(AttemptUsage.NONE)) {
                TaskStore.recordFailedUsage(c, workerId, taskId, attempt, usage);
            }
            boolean over;
            boolean paused;
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.PAUSE_OVER_BUDGET)) {
                ps.setLong(1, neededTokens);
                ps.setBigDecimal(2, neededCostUsd);
                ps.setObject(3, runId);
                ps.setLong(4, neededTokens);
                ps.setBigDecimal(5, neededCostUsd);
                ps.setBigDecimal(6, neededCostUsd);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    over = rs.getBoolean(1);
                    paused = rs.getBoolean(2);
                }
            }
            if (!over) {
                try (PreparedStatement ps = c.prepareStatement(BudgetSql.DELAY_TASK)) {
                    ps.setLong(1, waitMs);
                    ps.setLong(2, taskId);
                    ps.executeUpdate();
                }
            }
            return new Deferral(new TaskStore.Outcome(Set.of(taskId), Set.of(runId), 0), over, paused);
        }
    }

    /**
     * Changes a RUNNING or PAUSED run's caps; a budget-paused run whose blocked call now fits is
     * RUNNING again ({@code changed}). Empty for an unknown run; a finished run changes nothing.
     */
    @Transactional
    public Optional<RunStore.Transition> change(UUID runId, BudgetChange change) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            RunState before;
            PausedReason reason;
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.LOCK_RUN_FOR_PATCH)) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    before = RunState.valueOf(rs.getString(1));
                    reason = PausedReason.fromWire(rs.getString(2));
                }
            }
            if (before.isFinal()) {
                return Optional.of(new RunStore.Transition(before, false));
            }
            boolean covered;
            try (PreparedStatement ps = c.prepareStatement(BudgetSql.CHANGE_BUDGET)) {
                ps.setBoolean(1, change.setsMaxTokens());
                ps.setObject(2, change.maxTokens(), Types.BIGINT);
                ps.setBoolean(3, change.setsMaxCostUsd());
                ps.setBigDecimal(4, change.maxCostUsd());
                ps.setObject(5, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    covered = rs.next() && rs.getBoolean(1);
                }
            }
            if (!covered || before != RunState.PAUSED || reason != PausedReason.BUDGET) {
                return Optional.of(new RunStore.Transition(before, false));
            }
            for (String sql : List.of(BudgetSql.RESUME_BUDGET_PAUSED, BudgetSql.CLEAR_NEEDED)) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setObject(1, runId);
                    ps.executeUpdate();
                }
            }
            TaskStore.notifyReady(c);
            return Optional.of(new RunStore.Transition(before, true));
        }
    }

    static Optional<RunBudget> of(Connection c, UUID runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BudgetSql.BUDGET_OF)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new RunBudget(new Budget(rs.getObject(1, Long.class), rs.getBigDecimal(2)),
                        rs.getLong(3), rs.getBigDecimal(4), rs.getLong(5), rs.getBigDecimal(6)));
            }
        }
    }
}
