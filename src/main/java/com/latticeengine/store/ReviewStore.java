package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Review decisions on tasks AWAITING_REVIEW, each one transaction: the task's new state, its
 * downstream released or blocked, the decision on the reviewed attempt and its event, all or nothing.
 */
@ApplicationScoped
public class ReviewStore {

    /** What a person decided about an output; the wire names are the lower-case ones. */
    public enum Decision {
        APPROVE, EDIT, REJECT, FAIL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The task a decision is for, locked: its state, the attempt whose output awaits review, and
     * what the edit check needs (the project and the run's options, as JSON).
     */
    public record ReviewedTask(long id, TaskState state, int attempt, String projectJson, String runOptionsJson) {
    }

    /** A decision to record: {@code editedOutputJson} only for EDIT. */
    public record Review(Decision decision, String reviewer, String comment, String editedOutputJson) {
    }

    /** {@code applied} is false when the task was not AWAITING_REVIEW (then {@code state} is what it was). */
    public record Result(boolean applied, TaskState state) {
    }

    /** Checks the locked task before the decision is written; throws to roll the transaction back. */
    public interface Check {
        void accept(ReviewedTask task);
    }

    private final AgroalDataSource dataSource;

    public ReviewStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Takes {@code review} on the run's task {@code name} if it is AWAITING_REVIEW; empty when the
     * run has no such task. {@code check} sees the locked task first (an edit's schema check).
     */
    @Transactional
    public Optional<Result> decide(UUID runId, String name, Review review, Check check) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<ReviewedTask> locked = lock(c, runId, name);
            if (locked.isEmpty()) {
                return Optional.empty();
            }
            ReviewedTask task = locked.get();
            if (task.state() != TaskState.AWAITING_REVIEW) {
                return Optional.of(new Result(false, task.state()));
            }
            check.accept(task);
            TaskState next = switch (review.decision()) {
                case APPROVE, EDIT -> {
                    update(c, ReviewSql.APPROVE, review.editedOutputJson(), task.id());
                    TaskStore.notifyIfReady(c, TaskStore.releaseDownstream(c, Set.of(task.id())));
                    yield TaskState.SUCCEEDED;
                }
                case REJECT -> {
                    try (PreparedStatement ps = c.prepareStatement(ReviewSql.REJECT)) {
                        ps.setLong(1, task.id());
                        ps.executeUpdate();
                    }
                    TaskStore.notifyReady(c);
                    yield TaskState.READY;
                }
                case FAIL -> {
                    update(c, ReviewSql.FAIL, "failed in review"
                            + (review.comment() == null ? "" : ": " + review.comment()), task.id());
                    TaskStore.notifyIfReady(c, TaskStore.propagateFailure(c, Set.of(task.id())));
                    yield TaskState.FAILED;
                }
            };
            recordDecision(c, task, review);
            recordEvent(c, runId, name, task.attempt(), next, review);
            return Optional.of(new Result(true, next));
        }
    }

    /** The comment a reject left for the task's next attempt, if its latest decision was a reject. */
    public Optional<String> rejectComment(long taskId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ReviewSql.REJECT_COMMENT)) {
            ps.setLong(1, taskId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && Decision.REJECT.wireName().equals(rs.getString(1))
                        ? Optional.ofNullable(rs.getString(2)) : Optional.empty();
            }
        }
    }

    private static Optional<ReviewedTask> lock(Connection c, UUID runId, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ReviewSql.LOCK_TASK)) {
            ps.setObject(1, runId);
            ps.setObject(2, runId);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ReviewedTask(rs.getLong(1), TaskState.valueOf(rs.getString(2)),
                        rs.getInt(3), rs.getString(4), rs.getString(5))) : Optional.empty();
            }
        }
    }

    private static void update(Connection c, String sql, String text, long taskId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, text);
            ps.setLong(2, taskId);
            ps.executeUpdate();
        }
    }

    private static void recordDecision(Connection c, ReviewedTask task, Review review) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ReviewSql.RECORD_DECISION)) {
            ps.setString(1, review.decision().wireName());
            ps.setString(2, review.reviewer());
            ps.setString(3, review.comment());
            ps.setString(4, review.editedOutputJson());
            ps.setLong(5, task.id());
            ps.setInt(6, task.attempt());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("task " + task.id() + " attempt " + task.attempt()
                        + " awaited review without an attempt waiting for a decision");
            }
        }
    }

    private static void recordEvent(Connection c, UUID runId, String name, int attempt, TaskState next, Review review)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ReviewSql.DECISION_EVENT)) {
            ps.setObject(1, runId);
            ps.setString(2, next.name());
            ps.setString(3, review.reviewer());
            ps.setString(4, name);
            ps.setInt(5, attempt);
            ps.setString(6, review.decision().wireName());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(ReviewSql.NOTIFY_EVENT)) {
            ps.setString(1, runId.toString());
            ps.execute();
        }
    }
}
