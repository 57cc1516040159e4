package com.latticeengine.store;

/** Statements that write a whole run at once: submission, cancel, rerun. */
final class RunSql {

    private RunSql() {
    }

    /** A repeated idempotency key (keys are unique per tenant) inserts nothing; the caller then returns the first run. */
    static final String INSERT_RUN = """
            INSERT INTO run (id, state, requirements, processor, max_attempts, task_timeout_ms, options,
                             idempotency_key, task_count, lattice_metadata, warnings, tenant, callback_url, callback_events,
                             callback_secret)
            VALUES (?, 'RUNNING', ?, ?, ?, ?, ?::jsonb, ?, ?, ?::json, ?::jsonb, ?, ?, ?, ?)
            ON CONFLICT (tenant, idempotency_key) DO NOTHING
            """;

    /** All tasks of a run in one statement; tasks without inputs start READY. */
    static final String INSERT_TASKS = """
            INSERT INTO task (run_id, name, position, layer, project, state, remaining_inputs, max_attempt, limit_key,
                              ready_at, priority)
            SELECT ?, x.name, x.position, x.layer, x.project::jsonb,
                   CASE WHEN x.remaining = 0 THEN 'READY' ELSE 'WAITING' END, x.remaining, ?, x.limit_key,
                   CASE WHEN x.remaining = 0 THEN now() END, x.priority
              FROM unnest(?::text[], ?::int[], ?::int[], ?::text[], ?::int[], ?::int[], ?::text[])
                   AS x(name, position, layer, project, remaining, priority, limit_key)
            """;

    /** All input links of a run in one statement, resolved by task name within the run. */
    static final String INSERT_LINKS = """
            INSERT INTO task_input (to_task, position, from_task, relation, data_type, required, flow)
            SELECT t.id, x.position, f.id, x.relation, x.data_type, x.required, x.flow::jsonb
              FROM unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[])
                   AS x(to_name, position, from_name, relation, data_type, required, flow)
              JOIN task t ON t.run_id = ? AND t.name = x.to_name
              JOIN task f ON f.run_id = ? AND f.name = x.from_name
            """;

    static final String RUN_ID_BY_KEY = "SELECT id FROM run WHERE tenant = ? AND idempotency_key = ?";

    /** Serialises cancel and rerun of one run against each other. */
    static final String LOCK_RUN = "SELECT state, max_attempts FROM run WHERE id = ? FOR UPDATE";

    static final String SET_RUN_STATE = """
            UPDATE run SET state = ?, finished_at = CASE WHEN ? = 'RUNNING' THEN NULL ELSE now() END,
                           paused_reason = NULL
             WHERE id = ?
            """;

    /**
     * A pause waits here for every claim in flight (they hold this lock shared, see
     * TaskSql.CLAIM_SETTINGS), and claims that start meanwhile wait for the pause to commit:
     * no task of the run is claimed once the pause has returned.
     */
    static final String PAUSE_BARRIER = "SELECT pg_advisory_xact_lock(hashtext('lattice.pause'))";

    /** Params: reason, run id. */
    static final String PAUSE_RUN = "UPDATE run SET state = 'PAUSED', paused_reason = ? WHERE id = ?";

    /**
     * Locks the run's unfinished tasks in id order before cancel touches them or their attempts:
     * a completion locks its tasks (by id) before their attempt rows, and a cancel that took the
     * open attempts first, or the tasks in another order, deadlocked with it on a busy run.
     */
    static final String LOCK_UNFINISHED_TASKS = """
            SELECT id FROM task WHERE run_id = ? AND state IN ('WAITING', 'READY', 'RUNNING', 'AWAITING_REVIEW')
             ORDER BY id FOR UPDATE
            """;

    /**
     * Ends every unfinished task; a RUNNING one's worker finds its fence gone and stops, and one
     * awaiting review takes no decision any more (its output stays in its attempt).
     */
    static final String CANCEL_TASKS = """
            UPDATE task SET state = 'CANCELLED', finished_at = now(), error = 'cancelled',
                            worker_id = NULL, lease_expires_at = NULL
             WHERE run_id = ? AND state IN ('WAITING', 'READY', 'RUNNING', 'AWAITING_REVIEW')
            """;

    static final String CANCEL_OPEN_ATTEMPTS = """
            UPDATE task_attempt a SET outcome = 'CANCELLED', finished_at = now(), error = 'cancelled'
              FROM task t
             WHERE t.run_id = ? AND a.task_id = t.id AND a.outcome IS NULL
            """;

    /** Reset for a whole-run rerun: every task that did not succeed, with a fresh attempt budget. */
    static final String RESET_UNSUCCESSFUL = """
            UPDATE task SET state = 'WAITING', output = NULL, error = NULL, ready_at = NULL, started_at = NULL,
                            finished_at = NULL, worker_id = NULL, lease_expires_at = NULL, available_at = now(),
                            max_attempt = attempt + ?
             WHERE run_id = ? AND state IN ('FAILED', 'BLOCKED', 'CANCELLED')
            RETURNING id
            """;

    /** Reset for a rerun from one task: the task and everything transitively downstream of it. */
    static final String RESET_FROM_TASK = """
            WITH RECURSIVE closure(id) AS (
                SELECT id FROM task WHERE run_id = ? AND name = ?
                UNION
                SELECT i.to_task FROM task_input i JOIN closure c ON i.from_task = c.id
            )
            UPDATE task SET state = 'WAITING', output = NULL, error = NULL, ready_at = NULL, started_at = NULL,
                            finished_at = NULL, worker_id = NULL, lease_expires_at = NULL, available_at = now(),
                            max_attempt = attempt + ?
             WHERE id IN (SELECT id FROM closure)
            RETURNING id
            """;

    /** Whether the task or anything transitively downstream of it is running. */
    static final String RUNNING_FROM_TASK = """
            WITH RECURSIVE closure(id) AS (
                SELECT id FROM task WHERE run_id = ? AND name = ?
                UNION
                SELECT i.to_task FROM task_input i JOIN closure c ON i.from_task = c.id
            )
            SELECT 1 FROM task WHERE id IN (SELECT id FROM closure) AND state = 'RUNNING' LIMIT 1
            """;

    /**
     * Recomputes the counters of reset tasks from their upstream states: an upstream that
     * succeeded is already satisfied, every other one is still to come.
     */
    static final String RECOUNT = """
            WITH counts AS (
                SELECT t.id, (SELECT count(DISTINCT i.from_task)
                                FROM task_input i JOIN task f ON f.id = i.from_task
                               WHERE i.to_task = t.id AND f.state <> 'SUCCEEDED') AS n
                  FROM task t WHERE t.id = ANY(?)
            )
            UPDATE task t
               SET remaining_inputs = c.n,
                   state = CASE WHEN c.n = 0 THEN 'READY' ELSE 'WAITING' END,
                   ready_at = CASE WHEN c.n = 0 THEN now() END
              FROM counts c WHERE t.id = c.id
            """;

    /**
     * Upstream tasks outside the reset set that already ended without success: the reset tasks
     * must be blocked or released by them now, since they will never finish again.
     */
    static final String FINAL_UNSUCCESSFUL_UPSTREAM = """
            SELECT DISTINCT f.id
              FROM task_input i JOIN task f ON f.id = i.from_task
             WHERE i.to_task = ANY(?) AND f.state IN ('FAILED', 'BLOCKED', 'CANCELLED')
            """;
}
