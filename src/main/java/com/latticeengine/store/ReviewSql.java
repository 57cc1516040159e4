package com.latticeengine.store;

/**
 * Statements of a review decision on a task AWAITING_REVIEW (see V16__review_gates.sql). Each one
 * is guarded by state = 'AWAITING_REVIEW' under the task's row lock: a decision is taken once, and
 * a second one (or one for a task the run's cancel ended) changes nothing.
 */
final class ReviewSql {

    private ReviewSql() {
    }

    /**
     * Serialises a decision against cancel, pause and rerun of the run (they lock it FOR UPDATE),
     * then locks the task. Params: run id, run id, task name.
     */
    static final String LOCK_TASK = """
            SELECT t.id, t.state, t.attempt, t.project::text, r.options::text
              FROM run r JOIN task t ON t.run_id = r.id
             WHERE r.id = ? AND t.run_id = ? AND t.name = ?
               FOR SHARE OF r FOR UPDATE OF t
            """;

    /**
     * Approve, or edit (a non-null output replaces the stored one): the task SUCCEEDED. Its
     * downstream is released in the same transaction (TaskSql.RELEASE_DOWNSTREAM).
     * Params: edited output (json or null), task id.
     */
    static final String APPROVE = """
            UPDATE task SET state = 'SUCCEEDED', output = coalesce(?::jsonb, output), finished_at = now(),
                            worker_id = NULL
             WHERE id = ? AND state = 'AWAITING_REVIEW'
            """;

    /**
     * Reject: the task runs again, a new attempt that is not charged against its budget (the
     * attempt did its job; a person asked for another answer). Param: task id.
     */
    static final String REJECT = """
            UPDATE task SET state = 'READY', output = NULL, error = NULL, worker_id = NULL, available_at = now(),
                            ready_at = now(), max_attempt = max_attempt + 1
             WHERE id = ? AND state = 'AWAITING_REVIEW'
            """;

    /** Fail: the task FAILED for good; the caller blocks its downstream. Params: error, task id. */
    static final String FAIL = """
            UPDATE task SET state = 'FAILED', output = NULL, error = ?, finished_at = now(), worker_id = NULL
             WHERE id = ? AND state = 'AWAITING_REVIEW'
            """;

    /**
     * The decision on the attempt whose output was reviewed; the attempt's own output stays.
     * Params: decision, reviewer, comment, edited output (json or null), task id, attempt.
     */
    static final String RECORD_DECISION = """
            UPDATE task_attempt
               SET review_decision = ?, reviewed_by = ?, reviewed_at = now(), review_comment = ?,
                   edited_output = ?::jsonb
             WHERE task_id = ? AND attempt = ? AND review_reason IS NOT NULL AND review_decision IS NULL
            """;

    /**
     * The decision in the run's event log, next to the state change the trigger records (SSE
     * "review"); worker_id names the reviewer. Params: run id, new task state, reviewer, task name,
     * attempt, decision.
     */
    static final String DECISION_EVENT = """
            INSERT INTO run_event (run_id, state, worker_id, task_names, attempts, review_decision)
            VALUES (?, ?, ?, ARRAY[?::text], ARRAY[?::int], ?)
            """;

    static final String NOTIFY_EVENT = "SELECT pg_notify('" + Channels.EVENTS + "', ?)";

    /**
     * The comment of the task's latest decision, when that decision was a reject ('' for a reject
     * without one) and no attempt since has produced an output: the attempts that answer the
     * reject (retries after a failure included) get it as review_comment, and once one has
     * answered, later ones (a rerun, say) start afresh. Param: task id.
     */
    static final String REJECT_COMMENT = """
            SELECT a.review_decision, coalesce(a.review_comment, '') FROM task_attempt a
             WHERE a.task_id = ? AND a.review_decision IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM task_attempt later
                                WHERE later.task_id = a.task_id AND later.attempt > a.attempt
                                  AND later.output IS NOT NULL)
             ORDER BY a.attempt DESC LIMIT 1
            """;
}
