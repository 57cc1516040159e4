package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Whole-run writes: submission, cancel and the two kinds of rerun, each one transaction. */
@ApplicationScoped
public class RunStore {

    /** The run's state when a cancel or rerun looked at it, and whether it changed anything. */
    public record Transition(RunState before, boolean changed) {
    }

    private static final Set<RunState> RERUNNABLE = EnumSet.of(RunState.FAILED, RunState.CANCELLED, RunState.PAUSED);

    private final AgroalDataSource dataSource;

    public RunStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Writes the run, its tasks and links in three statements; empty when the idempotency key was used. */
    @Transactional
    public boolean insert(NewRun run) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(RunSql.INSERT_RUN)) {
                ps.setObject(1, run.id());
                ps.setString(2, run.requirements());
                ps.setString(3, run.processor());
                ps.setInt(4, run.maxAttempts());
                ps.setLong(5, run.taskTimeoutMs());
                ps.setString(6, run.optionsJson());
                ps.setString(7, run.idempotencyKey());
                ps.setInt(8, run.tasks().size());
                ps.setString(9, run.latticeMetadataJson());
                ps.setString(10, run.warningsJson());
                ps.setString(11, run.tenant());
                Callback callback = run.callback();
                ps.setString(12, callback == null ? null : callback.url());
                ps.setArray(13, callback == null ? null : Jdbc.texts(c, callback.eventNames()));
                ps.setString(14, callback == null ? null : callback.secret());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(RunSql.INSERT_TASKS)) {
                List<NewRun.Task> tasks = run.tasks();
                ps.setObject(1, run.id());
                ps.setInt(2, run.maxAttempts());
                ps.setArray(3, Jdbc.texts(c, tasks.stream().map(NewRun.Task::name).toList()));
                ps.setArray(4, Jdbc.ints(c, tasks.stream().map(NewRun.Task::position).toList()));
                ps.setArray(5, Jdbc.ints(c, tasks.stream().map(NewRun.Task::layer).toList()));
                ps.setArray(6, Jdbc.texts(c, tasks.stream().map(NewRun.Task::projectJson).toList()));
                ps.setArray(7, Jdbc.ints(c, tasks.stream().map(NewRun.Task::remainingInputs).toList()));
                ps.setArray(8, Jdbc.ints(c, tasks.stream().map(NewRun.Task::priority).toList()));
                ps.setArray(9, Jdbc.texts(c, tasks.stream().map(NewRun.Task::limitKey).toList()));
                ps.executeUpdate();
            }
            if (!run.links().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(RunSql.INSERT_LINKS)) {
                    List<NewRun.Link> links = run.links();
                    ps.setArray(1, Jdbc.texts(c, links.stream().map(NewRun.Link::toName).toList()));
                    ps.setArray(2, Jdbc.ints(c, links.stream().map(NewRun.Link::position).toList()));
                    ps.setArray(3, Jdbc.texts(c, links.stream().map(NewRun.Link::fromName).toList()));
                    ps.setArray(4, Jdbc.texts(c, links.stream().map(NewRun.Link::relation).toList()));
                    ps.setArray(5, Jdbc.texts(c, links.stream().map(NewRun.Link::dataType).toList()));
                    ps.setArray(6, Jdbc.booleans(c, links.stream().map(NewRun.Link::required).toList()));
                    ps.setArray(7, Jdbc.texts(c, links.stream().map(NewRun.Link::flowJson).toList()));
                    ps.setObject(8, run.id());
                    ps.setObject(9, run.id());
                    ps.executeUpdate();
                }
            }
            BudgetStore.insert(c, run.id(), run.budget());
            // Every DAG has a root, so every submission made a task READY.
            TaskStore.notifyReady(c);
            return true;
        }
    }

    public Optional<UUID> runIdByIdempotencyKey(String tenant, String key) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(RunSql.RUN_ID_BY_KEY)) {
            ps.setString(1, tenant);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    /** Cancels a RUNNING or PAUSED run: every unfinished task ends CANCELLED at once. Empty when the run is unknown. */
    @Transactional
    public Optional<Transition> cancel(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<RunState> before = lockRun(c, runId).map(LockedRun::state);
            if (before.isEmpty() || before.get().isFinal()) {
                return before.map(state -> new Transition(state, false));
            }
            update(c, RunSql.LOCK_UNFINISHED_TASKS, runId);
            update(c, RunSql.CANCEL_OPEN_ATTEMPTS, runId);
            update(c, RunSql.CANCEL_TASKS, runId);
            setRunState(c, runId, RunState.CANCELLED);
            return Optional.of(new Transition(before.get(), true));
        }
    }

    /**
     * Pauses a RUNNING run: its READY tasks stay READY and no claim takes them; running tasks
     * finish and are recorded. A PAUSED run takes the new reason (an operator's pause outlasts a
     * budget pause). A finished run changes nothing. Empty when the run is unknown.
     */
    @Transactional
    public Optional<Transition> pause(UUID runId, PausedReason reason) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            update(c, RunSql.PAUSE_BARRIER);
            Optional<RunState> before = lockRun(c, runId).map(LockedRun::state);
            if (before.isEmpty() || before.get().isFinal()) {
                return before.map(state -> new Transition(state, false));
            }
            try (PreparedStatement ps = c.prepareStatement(RunSql.PAUSE_RUN)) {
                ps.setString(1, reason.wireName());
                ps.setObject(2, runId);
                ps.executeUpdate();
            }
            return Optional.of(new Transition(before.get(), before.get() == RunState.RUNNING));
        }
    }

    /** Resumes a PAUSED run and wakes every replica's claimer; any other state changes nothing. */
    @Transactional
    public Optional<Transition> resume(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<RunState> before = lockRun(c, runId).map(LockedRun::state);
            if (before.isEmpty() || before.get() != RunState.PAUSED) {
                return before.map(state -> new Transition(state, false));
            }
            setRunState(c, runId, RunState.RUNNING);
            TaskStore.notifyReady(c);
            return Optional.of(new Transition(RunState.PAUSED, true));
        }
    }

    /**
     * Reruns a FAILED, CANCELLED or PAUSED run: tasks that did not succeed start over with a fresh
     * attempt budget; succeeded outputs are kept, and a paused run runs again. Any other state
     * changes nothing.
     */
    @Transactional
    public Optional<Transition> rerun(UUID runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<LockedRun> run = lockRun(c, runId);
            if (run.isEmpty() || !RERUNNABLE.contains(run.get().state())) {
                return run.map(r -> new Transition(r.state(), false));
            }
            Set<Long> reset = resetTasks(c, RunSql.RESET_UNSUCCESSFUL, ps -> {
                ps.setInt(1, run.get().maxAttempts());
                ps.setObject(2, runId);
            });
            restart(c, runId, reset);
            return Optional.of(new Transition(run.get().state(), true));
        }
    }

    /**
     * Reruns one task of a finished or paused run and everything transitively downstream of it;
     * the rest of the run is kept, and a paused run runs again. Empty when the run or the task is
     * unknown. Unchanged while the run is RUNNING, or paused with one of those tasks still running:
     * resetting it would leave its attempt open and throw away a call already paid for. Nothing
     * starts in a paused run, and the run row stays locked until the reset commits, so the check
     * cannot go stale.
     */
    @Transactional
    public Optional<Transition> rerunFrom(UUID runId, String taskName) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<LockedRun> run = lockRun(c, runId);
            if (run.isEmpty() || run.get().state() == RunState.RUNNING
                    || run.get().state() == RunState.PAUSED && runningFrom(c, runId, taskName)) {
                return run.map(r -> new Transition(r.state(), false));
            }
            Set<Long> reset = resetTasks(c, RunSql.RESET_FROM_TASK, ps -> {
                ps.setObject(1, runId);
                ps.setString(2, taskName);
                ps.setInt(3, run.get().maxAttempts());
            });
            if (reset.isEmpty()) {
                return Optional.empty();
            }
            restart(c, runId, reset);
            return Optional.of(new Transition(run.get().state(), true));
        }
    }

    private static boolean runningFrom(Connection c, UUID runId, String taskName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RunSql.RUNNING_FROM_TASK)) {
            ps.setObject(1, runId);
            ps.setString(2, taskName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private record LockedRun(RunState state, int maxAttempts) {
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static Optional<LockedRun> lockRun(Connection c, UUID runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RunSql.LOCK_RUN)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new LockedRun(RunState.valueOf(rs.getString(1)), rs.getInt(2)))
                        : Optional.empty();
            }
        }
    }

    private static Set<Long> resetTasks(Connection c, String sql, Binder binder) throws SQLException {
        Set<Long> reset = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reset.add(rs.getLong(1));
                }
            }
        }
        return reset;
    }

    /** Recounts the reset tasks, lets final upstream failures block them, and reopens the run. */
    private static void restart(Connection c, UUID runId, Set<Long> reset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RunSql.RECOUNT)) {
            ps.setArray(1, Jdbc.longs(c, reset));
            ps.executeUpdate();
        }
        Set<Long> finalUpstream = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(RunSql.FINAL_UNSUCCESSFUL_UPSTREAM)) {
            ps.setArray(1, Jdbc.longs(c, reset));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    finalUpstream.add(rs.getLong(1));
                }
            }
        }
        if (!finalUpstream.isEmpty()) {
            TaskStore.propagateFailure(c, finalUpstream);
        }
        setRunState(c, runId, RunState.RUNNING);
        TaskStore.notifyIfReady(c, reset.size());
    }

    private static void setRunState(Connection c, UUID runId, RunState state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RunSql.SET_RUN_STATE)) {
            ps.setString(1, state.name());
            ps.setString(2, state.name());
            ps.setObject(3, runId);
            ps.executeUpdate();
        }
    }

    private static void update(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    private static void update(Connection c, String sql, UUID runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, runId);
            ps.execute();
        }
    }
}
