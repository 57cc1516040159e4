package com.latticeengine.store;

/**
 * Run budgets (run_budget, budget_reservation). The invariant every reservation keeps: for each cap
 * a run has, spent + reserved never exceeds it. A call is made only after its worst case was
 * reserved; it then settles to its actual usage (never more than the worst case), so spend never
 * exceeds the cap either. All replicas and slots go through the one conditional UPDATE of the run's
 * budget row: Postgres re-checks its WHERE on the latest row version after waiting for the row
 * lock, so concurrent reservations are serialised and none can overshoot.
 */
final class BudgetSql {

    private BudgetSql() {
    }

    /** Params: run id, max tokens, max cost. */
    static final String INSERT_BUDGET = "INSERT INTO run_budget (run_id, max_tokens, max_cost_usd) VALUES (?, ?, ?)";

    /**
     * Reserves one call's worst case if it fits every cap, and only for an attempt this worker
     * still holds, so that a reservation always belongs to a live attempt (SWEEP_ABANDONED charges
     * those whose attempt ended). An unpriced call (cost null) never fits a cost cap.
     * Params: tokens, cost, run, tokens, cost, task, attempt, worker, task, attempt, call, tokens, cost.
     */
    static final String RESERVE = """
            WITH reserved AS (
                UPDATE run_budget
                   SET reserved_tokens = reserved_tokens + ?, reserved_cost_usd = reserved_cost_usd + coalesce(?::numeric, 0)
                 WHERE run_id = ?
                   AND (max_tokens IS NULL OR spent_tokens + reserved_tokens + ? <= max_tokens)
                   AND (max_cost_usd IS NULL OR spent_cost_usd + reserved_cost_usd + ?::numeric <= max_cost_usd)
                   AND EXISTS (SELECT 1 FROM task
                                WHERE id = ? AND attempt = ? AND state = 'RUNNING' AND worker_id = ?)
                RETURNING run_id
            )
            INSERT INTO budget_reservation (run_id, task_id, attempt, call, tokens, cost_usd)
            SELECT run_id, ?, ?, ?, ?, coalesce(?::numeric, 0) FROM reserved
            """;

    /**
     * Replaces a reservation by the call's actual usage. A reservation already charged by
     * SWEEP_ABANDONED (the attempt was taken from this worker meanwhile) changes nothing: its worst
     * case, never less than the actual usage, is already spent.
     * Params: task, attempt, call, actual tokens, actual cost.
     */
    static final String SETTLE = """
            WITH settled AS (
                DELETE FROM budget_reservation WHERE task_id = ? AND attempt = ? AND call = ?
                RETURNING run_id, tokens, cost_usd
            )
            UPDATE run_budget b
               SET reserved_tokens = b.reserved_tokens - s.tokens, reserved_cost_usd = b.reserved_cost_usd - s.cost_usd,
                   spent_tokens = b.spent_tokens + ?, spent_cost_usd = b.spent_cost_usd + ?
              FROM settled s
             WHERE b.run_id = s.run_id
            """;

    /** One sweeper at a time cluster-wide: two sweeps updating the same budget rows in another order could deadlock. */
    static final String LOCK_SWEEP = "SELECT pg_try_advisory_xact_lock(hashtext('lattice.budget-sweep'))";

    /**
     * Reservations whose attempt is no longer RUNNING never settled (the call was interrupted or
     * timed out, the replica died, the task was cancelled): charged in full, since the provider
     * may have billed the call and its usage was never reported.
     */
    static final String SWEEP_ABANDONED = """
            WITH charged AS (
                DELETE FROM budget_reservation r
                 WHERE NOT EXISTS (SELECT 1 FROM task t
                                    WHERE t.id = r.task_id AND t.attempt = r.attempt AND t.state = 'RUNNING')
                RETURNING r.run_id, r.tokens, r.cost_usd
            ), per_run AS (
                SELECT run_id, sum(tokens) AS tokens, sum(cost_usd) AS cost FROM charged GROUP BY run_id
            )
            UPDATE run_budget b
               SET reserved_tokens = b.reserved_tokens - p.tokens, reserved_cost_usd = b.reserved_cost_usd - p.cost,
                   spent_tokens = b.spent_tokens + p.tokens, spent_cost_usd = b.spent_cost_usd + p.cost
              FROM per_run p
             WHERE b.run_id = p.run_id
            """;

    static final String HAS_CAP = "SELECT max_tokens IS NOT NULL OR max_cost_usd IS NOT NULL FROM run_budget WHERE run_id = ?";

    static final String BUDGET_OF = """
            SELECT max_tokens, max_cost_usd, spent_tokens, spent_cost_usd, reserved_tokens, reserved_cost_usd
              FROM run_budget WHERE run_id = ?
            """;

    /**
     * Locks the run before an over-budget deferral decides whether to pause it, in the order cancel
     * and PATCH take it (run, then tasks); the next statements' snapshots then see a budget that a
     * concurrent PATCH committed.
     */
    static final String LOCK_RUN = "SELECT state FROM run WHERE id = ? FOR NO KEY UPDATE";

    /**
     * An attempt whose next call the budget could not cover, fenced: READY again, and the attempt
     * is not charged against the task (max_attempt + 1), since nothing was tried.
     * Params: error, id, attempt, worker.
     */
    static final String DEFER_OVER_BUDGET = """
            UPDATE task t
               SET state = 'READY', available_at = now(), ready_at = now(), max_attempt = t.max_attempt + 1,
                   error = ?, worker_id = NULL, lease_expires_at = NULL
             WHERE t.id = ? AND t.attempt = ? AND t.state = 'RUNNING' AND t.worker_id = ?
            RETURNING t.run_id
            """;

    /**
     * The call cannot fit even once every call in flight has settled (spent + its worst case
     * exceeds a cap): the run is PAUSED with reason 'budget' through the run's own state update,
     * so the run_state_changed trigger sees it, and the call's worst case is kept so that a new
     * budget covering it resumes the run. A RUNNING run only: an operator's pause stays.
     * Returns whether the call is over budget and whether this paused the run.
     * Params: needed tokens, needed cost, run, needed tokens, needed cost, needed cost.
     */
    static final String PAUSE_OVER_BUDGET = """
            WITH over AS (
                UPDATE run_budget SET needed_tokens = ?, needed_cost_usd = ?
                 WHERE run_id = ?
                   AND ((max_tokens IS NOT NULL AND spent_tokens + ? > max_tokens)
                     OR (max_cost_usd IS NOT NULL AND (?::numeric IS NULL OR spent_cost_usd + ?::numeric > max_cost_usd)))
                RETURNING run_id
            ), paused AS (
                UPDATE run r SET state = 'PAUSED', paused_reason = 'budget'
                  FROM over WHERE r.id = over.run_id AND r.state = 'RUNNING'
                RETURNING r.id
            )
            SELECT (SELECT count(*) FROM over) > 0, (SELECT count(*) FROM paused) > 0
            """;

    /** The budget still fits (calls in flight hold it): the task waits a little. Params: delay ms, id. */
    static final String DELAY_TASK = "UPDATE task SET available_at = now() + ? * interval '1 millisecond' WHERE id = ?";

    /** What a cost cap set by a PATCH is checked against: the run's processor and options, and whether it ended. Param: run. */
    static final String CALL_SCOPE_RUN = "SELECT processor, options::text, state FROM run WHERE id = ?";

    /** The run's project documents, each distinct one once (a PATCH checks the models they call). Param: run. */
    static final String CALL_SCOPE_PROJECTS = "SELECT DISTINCT project::text FROM task WHERE run_id = ?";

    /** Serialises a PATCH with cancel, rerun and budget pauses of the same run. */
    static final String LOCK_RUN_FOR_PATCH = "SELECT state, paused_reason FROM run WHERE id = ? FOR UPDATE";

    /**
     * Sets the caps a PATCH names, keeps the others, and says whether the call that paused the run
     * (if any) now fits: the same rule as PAUSE_OVER_BUDGET, negated.
     * Params: sets tokens, max tokens, sets cost, max cost, run.
     */
    static final String CHANGE_BUDGET = """
            UPDATE run_budget
               SET max_tokens = CASE WHEN ? THEN ?::bigint ELSE max_tokens END,
                   max_cost_usd = CASE WHEN ? THEN ?::numeric ELSE max_cost_usd END
             WHERE run_id = ?
            RETURNING (max_tokens IS NULL OR spent_tokens + coalesce(needed_tokens, 0) <= max_tokens)
                  AND (max_cost_usd IS NULL OR spent_cost_usd + coalesce(needed_cost_usd, 0) <= max_cost_usd)
            """;

    /** Resumes a budget-paused run through the run's own state update. Param: run. */
    static final String RESUME_BUDGET_PAUSED = """
            UPDATE run SET state = 'RUNNING', paused_reason = NULL
             WHERE id = ? AND state = 'PAUSED' AND paused_reason = 'budget'
            """;

    static final String CLEAR_NEEDED = "UPDATE run_budget SET needed_tokens = NULL, needed_cost_usd = NULL WHERE run_id = ?";
}
