package com.latticeengine.store;

/**
 * The engine's hot-path SQL in one place. Every statement that moves a task out of RUNNING is
 * fenced by (id, attempt, worker_id): a worker whose claim was reaped, cancelled or handed back
 * matches no row and so changes nothing, however late it comes back.
 */
final class TaskSql {

    private TaskSql() {
    }

    /**
     * Claim up to ? READY tasks whose backoff has passed, handed out in turns (fair share): per
     * tenant first, then per run of that tenant, then in the run's own order. The run's order is
     * the critical path: the highest priority (the longest chain of work still behind the task,
     * see LatticeGraph.pathLengthToEnd) first, then the longest ready.
     * <p>
     * A turn counts what the tenant or run already has RUNNING: a run holding 100 slots gets its
     * 101st task only after a run holding none got its first 100, so a small run submitted behind
     * a huge one is claimed by the next claim of any replica, however few slots that claim has.
     * The candidates come run by run (one probe of task_ready_run_idx per RUNNING run, which is
     * also why a PAUSED run's tasks are never claimed), so the cost grows with the number of
     * running runs, not with the backlog. Each run offers twice the limit: replicas claiming at
     * once rank the same candidates, and SKIP LOCKED lets the later one take the next rows
     * instead of none. Only the rows finally taken are locked, and a row another claim took in
     * the meantime fails the state = 'READY' recheck under the lock.
     * <p>
     * The winners are locked one by one in turn order, through the primary key (a LATERAL is
     * always a nested loop), and the LIMIT stops the locking once enough rows are taken; the
     * update finds them through the primary key too (= ANY(ARRAY(...))). Joined by their ids
     * instead, the candidates were hashed against the whole task table, twice per claim (14 ms
     * for a claim of 128 in a 20,000-task table, against 2). Turning hash joins off for the claim
     * was no way out: the event trigger's plan, cached in the session, then kept a nested loop over
     * its transition tables, and a cancel of 19,000 tasks on that connection ran for minutes.
     * SKIP LOCKED lets every replica claim at once without waiting on or double-taking each
     * other's rows; the attempt row is written in the same statement so the history never misses
     * a started attempt. %s narrows the candidates to unlimited tasks or to limited ones whose key
     * is not on hold. The picked rows are computed once (MATERIALIZED): a plan that re-ran a LIMIT
     * subquery per row could claim far more than the limit.
     * Params: limit (candidates per run, twice the limit), limit, worker, lease ms.
     */
    private static final String CLAIM_TEMPLATE = """
            WITH running AS MATERIALIZED (
                SELECT run_id, count(*) AS n FROM task
                 WHERE state = 'RUNNING' AND lease_expires_at IS NOT NULL
                 GROUP BY run_id
            ), tenant_running AS MATERIALIZED (
                SELECT r.tenant, sum(running.n) AS n FROM running JOIN run r ON r.id = running.run_id
                 GROUP BY r.tenant
            ), candidates AS MATERIALIZED (
                SELECT r.tenant, r.id AS run_id, c.id, coalesce(running.n, 0) + c.place AS run_turn
                  FROM run r
                  LEFT JOIN running ON running.run_id = r.id
                  CROSS JOIN LATERAL (
                      SELECT id, row_number() OVER (ORDER BY priority DESC, available_at, id) - 1 AS place
                        FROM task
                       WHERE run_id = r.id AND state = 'READY' AND available_at <= now() AND %s
                       ORDER BY priority DESC, available_at, id
                       LIMIT ?
                  ) c
                 WHERE r.state = 'RUNNING'
            ), turns AS MATERIALIZED (
                SELECT c.id, c.run_turn,
                       coalesce(tr.n, 0) + row_number() OVER (PARTITION BY c.tenant ORDER BY c.run_turn, c.id) AS tenant_turn
                  FROM candidates c LEFT JOIN tenant_running tr ON tr.tenant = c.tenant
            ), picked AS MATERIALIZED (
                SELECT locked.id
                  FROM (SELECT id FROM turns ORDER BY tenant_turn, run_turn, id) k
                 CROSS JOIN LATERAL (SELECT id FROM task t WHERE t.id = k.id AND t.state = 'READY'
                                       FOR UPDATE SKIP LOCKED) locked
                 LIMIT ?
            ), claimed AS (
                UPDATE task t
                   SET state = 'RUNNING', worker_id = ?, attempt = t.attempt + 1,
                       started_at = now(), lease_expires_at = now() + ? * interval '1 millisecond'
                 WHERE t.id = ANY (ARRAY(SELECT id FROM picked))
                RETURNING t.id, t.run_id, t.name, t.project, t.attempt, t.worker_id, t.started_at, t.limit_key,
                          t.priority
            ), recorded AS (
                INSERT INTO task_attempt (task_id, attempt, worker_id, started_at)
                SELECT id, attempt, worker_id, started_at FROM claimed
            )
            SELECT c.id, c.run_id, c.name, c.project::text, c.attempt,
                   r.requirements, r.processor, r.task_timeout_ms, r.options::text, c.limit_key, c.priority
              FROM claimed c JOIN run r ON r.id = c.run_id
            """;

    static final String CLAIM = CLAIM_TEMPLATE.formatted("limit_key IS NULL");

    /**
     * Settings of a claim transaction, in one round trip.
     * A claim need not wait for its WAL flush: if the server crashes before the flush, the claim
     * never happened, the task is READY again after recovery, and the worker's result fails the
     * fence. Completions keep synchronous commits, since they store outputs.
     * No sort: a queue's statistics are usually taken while it is nearly empty, and with them the
     * planner read every READY row through task_unfinished_idx and sorted them all to take the
     * first few (12 ms per claim with 20,000 READY tasks, against 0.08 ms walking the ready index
     * in order and stopping at the limit).
     * No JIT: with sorting off, any sort left in the transaction (a trigger's ORDER BY, say)
     * costs over jit_above_cost, and LLVM compiled such a plan for 90 ms on every claim.
     * The shared lock is the pause barrier (RunSql.PAUSE_BARRIER): taken before the claim statement
     * takes its snapshot, so a claim either ends before a pause commits or sees the run PAUSED.
     * Shared locks do not conflict with each other and live in memory: claims never wait on one
     * another for it.
     * One plan per connection (force_generic_plan): the claim's LIMITs are parameters, a generic
     * plan guesses they take a tenth of the READY rows, and against that guess Postgres judged
     * every custom plan cheaper, so it planned the six-CTE statement again on every claim. That
     * planning was most of what fair share added (a claim of 8 from a 20,000-task run: 2.1 ms
     * replanned, 1.0 ms with the cached plan, the pre-fair-share claim 1.3 ms; docs/BENCHMARKS.md).
     * The generic plan is the same shape (per-run index probes, winners locked through the
     * primary key): nothing in it depends on the limits' values, and the LIMITs still stop it.
     */
    static final String CLAIM_SETTINGS = """
            SELECT set_config('synchronous_commit', 'off', true), set_config('enable_sort', 'off', true),
                   set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true),
                   pg_advisory_xact_lock_shared(hashtext('lattice.pause'))
            """;

    /**
     * Settings of a transaction that addresses a batch of tasks by id (completion, heartbeat):
     * only primary-key lookups. With statistics a few thousand tasks old, the planner preferred
     * to read the whole task table for a batch of 200 ids (one 20,000-task run on a new database
     * went at 5,000 tasks/s instead of 11,000). No JIT, as for claims: a disabled scan costs over
     * jit_above_cost.
     */
    static final String BY_ID_SETTINGS =
            "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)";

    static final String CLAIM_LIMITED = CLAIM_TEMPLATE.formatted("""
            limit_key IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM rate_limit_hold h
                             WHERE h.limit_key = task.limit_key AND h.hold_until > now())""");

    /**
     * Limited claims from all replicas queue on this lock, so "count running, then claim up to
     * the cap" cannot interleave and overshoot the cluster-wide cap.
     */
    static final String LOCK_LIMITED_CLAIMS = "SELECT pg_advisory_xact_lock(hashtext('lattice.limited-claim'))";

    static final String RUNNING_LIMITED = "SELECT count(*) FROM task WHERE state = 'RUNNING' AND limit_key IS NOT NULL";

    /** Inputs of the given tasks, in input order, with each upstream's state and output. Param: task ids. */
    static final String INPUTS = """
            SELECT i.to_task, f.name, i.relation, i.data_type, i.required, f.state, f.output::text, f.error,
                   i.flow::text
              FROM task_input i JOIN task f ON f.id = i.from_task
             WHERE i.to_task = ANY(?)
             ORDER BY i.to_task, i.position
            """;

    /**
     * Success, fenced: only rows still RUNNING under this worker and attempt are marked, and only
     * their attempt rows are closed, with the output and the usage of the call, in the same
     * statement. The batch comes as one JSON object keyed by task id
     * ({"42": {"attempt": 1, "output": {...}, "usage": {"model": ..., "input_tokens": ...}}}) and
     * each row looks its own entry up, so the statement reads the ids through the primary key and
     * does no join. Joined to unnest(ids, attempts, outputs) instead, the planner (believing few
     * tasks RUNNING) rescanned the whole unnest for every row: 16 ms for 200 tasks, and 2 s for a
     * heartbeat of 2,000.
     * An entry with a "review" (why its output trips the task's review gate) stops at
     * AWAITING_REVIEW instead, output stored and not finished, in the same statement: its downstream
     * is never released before a person decides (the caller releases only the SUCCEEDED rows).
     * Params: results (json), ids, worker.
     */
    static final String MARK_SUCCEEDED = """
            WITH c AS MATERIALIZED (SELECT ?::jsonb AS results), marked AS (
                UPDATE task t
                   SET state = CASE WHEN c.results -> t.id::text ->> 'review' IS NULL THEN 'SUCCEEDED'
                                    ELSE 'AWAITING_REVIEW' END,
                       output = c.results -> t.id::text -> 'output', error = NULL,
                       finished_at = CASE WHEN c.results -> t.id::text ->> 'review' IS NULL THEN now() END,
                       lease_expires_at = NULL
                  FROM c
                 WHERE t.id = ANY(?::bigint[]) AND t.state = 'RUNNING' AND t.worker_id = ?
                   AND t.attempt = (c.results -> t.id::text ->> 'attempt')::int
                RETURNING t.id, t.attempt, t.run_id, t.limit_key IS NOT NULL AS limited, t.output,
                          c.results -> t.id::text -> 'usage' AS usage, t.state,
                          c.results -> t.id::text ->> 'review' AS review
            ), closed AS (
                UPDATE task_attempt a
                   SET finished_at = now(), outcome = 'SUCCEEDED', error = NULL, output = m.output,
                       review_reason = m.review,
                       model = m.usage ->> 'model', input_tokens = (m.usage ->> 'input_tokens')::bigint,
                       output_tokens = (m.usage ->> 'output_tokens')::bigint,
                       latency_ms = (m.usage ->> 'latency_ms')::bigint, cost_usd = (m.usage ->> 'cost_usd')::numeric,
                       cached = coalesce((m.usage ->> 'cached')::boolean, false), calls = (m.usage ->> 'calls')::int
                  FROM marked m
                 WHERE a.task_id = m.id AND a.attempt = m.attempt AND a.outcome IS NULL
            )
            SELECT id, run_id, limited, state FROM marked
            """;

    /**
     * What a failed attempt's model calls used (its answers were not usable, but they were paid
     * for). Only the attempt this worker just closed: fenced like the close itself.
     * Params: model, input tokens, output tokens, latency, cost, calls, task id, attempt, worker.
     */
    static final String RECORD_FAILED_USAGE = """
            UPDATE task_attempt
               SET model = ?, input_tokens = ?, output_tokens = ?, latency_ms = ?, cost_usd = ?, calls = ?
             WHERE task_id = ? AND attempt = ? AND worker_id = ?
            """;

    /**
     * Closes the attempt rows of tasks just moved out of RUNNING other than by success.
     * Params: ids, attempts, outcomes, errors.
     */
    static final String CLOSE_ATTEMPTS = """
            UPDATE task_attempt a
               SET finished_at = now(), outcome = c.outcome, error = c.error
              FROM unnest(?::bigint[], ?::int[], ?::text[], ?::text[]) AS c(id, attempt, outcome, error)
             WHERE a.task_id = c.id AND a.attempt = c.attempt AND a.outcome IS NULL
            """;

    /**
     * One decrement per distinct finished upstream, aggregated per downstream task so a hot
     * fan-in row is updated once per batch, not once per upstream. A task whose counter reaches
     * zero becomes READY in the same statement, so no ready task is ever left WAITING.
     * Param: ids of upstream tasks that just reached a final state.
     * Only WAITING tasks move: a BLOCKED or CANCELLED downstream stays where it is. Rows are
     * locked in id order first, so two batches sharing downstream tasks cannot deadlock.
     */
    static final String RELEASE_DOWNSTREAM = """
            WITH finished AS (
                SELECT i.to_task, count(DISTINCT i.from_task) AS n
                  FROM task_input i
                 WHERE i.from_task = ANY(?)
                 GROUP BY i.to_task
            ), locked AS MATERIALIZED (
                SELECT t.id FROM task t JOIN finished f ON f.to_task = t.id
                 WHERE t.state = 'WAITING'
                 ORDER BY t.id
                   FOR UPDATE OF t
            )
            UPDATE task d
               SET remaining_inputs = d.remaining_inputs - f.n,
                   state = CASE WHEN d.remaining_inputs = f.n THEN 'READY' ELSE 'WAITING' END,
                   ready_at = CASE WHEN d.remaining_inputs = f.n THEN now() ELSE d.ready_at END,
                   available_at = now()
              FROM finished f
             WHERE d.id = f.to_task AND d.id IN (SELECT id FROM locked) AND d.state = 'WAITING'
            RETURNING d.id, d.state
            """;

    /**
     * A failed or blocked upstream blocks every WAITING task that needs it (a required link).
     * RELEASE_DOWNSTREAM then runs on the same upstream ids in the same transaction: the tasks
     * still WAITING take it only as an optional input and are released to run without it.
     * Param: upstream ids.
     */
    static final String BLOCK_REQUIRED_DOWNSTREAM = """
            WITH needed AS (
                SELECT i.to_task, string_agg(DISTINCT f.name, ', ') AS upstream
                  FROM task_input i JOIN task f ON f.id = i.from_task
                 WHERE i.from_task = ANY(?) AND i.required
                 GROUP BY i.to_task
            )
            UPDATE task d
               SET state = 'BLOCKED', finished_at = now(),
                   error = 'blocked: required upstream ' || n.upstream || ' did not succeed'
              FROM needed n
             WHERE d.id = n.to_task AND d.state = 'WAITING'
            RETURNING d.id
            """;

    /**
     * A failed attempt, fenced. It goes back to READY after a backoff while attempts remain and
     * the error is retryable; otherwise the task is FAILED for good.
     * Params: retryable, backoff ms, error, id, attempt, worker.
     */
    static final String MARK_FAILED_OR_RETRY = """
            UPDATE task t
               SET state = CASE WHEN c.retry AND t.attempt < t.max_attempt THEN 'READY' ELSE 'FAILED' END,
                   available_at = now() + c.backoff_ms * interval '1 millisecond',
                   ready_at = now(),
                   finished_at = CASE WHEN c.retry AND t.attempt < t.max_attempt THEN NULL ELSE now() END,
                   error = c.error, worker_id = NULL, lease_expires_at = NULL
              FROM (SELECT ?::boolean AS retry, ?::bigint AS backoff_ms, ?::text AS error) c
             WHERE t.id = ? AND t.attempt = ? AND t.state = 'RUNNING' AND t.worker_id = ?
            RETURNING t.state, t.run_id, t.limit_key IS NOT NULL
            """;

    /**
     * A rate-limited attempt, fenced: the task waits as READY until the provider's Retry-After and
     * gets its attempt back, since the call never ran. Params: delay ms, error, id, attempt, worker.
     */
    static final String DEFER_RATE_LIMITED = """
            UPDATE task t
               SET state = 'READY', available_at = now() + ? * interval '1 millisecond', ready_at = now(),
                   max_attempt = t.max_attempt + 1, error = ?, worker_id = NULL, lease_expires_at = NULL
             WHERE t.id = ? AND t.attempt = ? AND t.state = 'RUNNING' AND t.worker_id = ?
            RETURNING t.run_id
            """;

    /** Puts a limit key on hold cluster-wide; a later, longer hold wins. Params: key, delay ms. */
    static final String HOLD_LIMIT = """
            INSERT INTO rate_limit_hold (limit_key, hold_until) VALUES (?, now() + ? * interval '1 millisecond')
            ON CONFLICT (limit_key) DO UPDATE SET hold_until = greatest(rate_limit_hold.hold_until, excluded.hold_until)
            """;

    static final String CACHED_OUTPUT = "SELECT output::text FROM result_cache WHERE cache_key = ?";

    /** The first output for a key stays; equal keys produce interchangeable outputs. Params: keys, outputs. */
    static final String CACHE_OUTPUTS = """
            INSERT INTO result_cache (cache_key, output)
            SELECT k, o::jsonb FROM unnest(?::text[], ?::text[]) AS c(k, o)
            ON CONFLICT (cache_key) DO NOTHING
            """;

    /**
     * Extends the leases this worker still holds, in one statement; the attempts come keyed by
     * task id ({"42": 1}), as in MARK_SUCCEEDED. Params: attempts (json), lease ms, ids, worker.
     */
    static final String HEARTBEAT = """
            WITH c AS MATERIALIZED (SELECT ?::jsonb AS attempts)
            UPDATE task t
               SET lease_expires_at = now() + ? * interval '1 millisecond'
              FROM c
             WHERE t.id = ANY(?::bigint[]) AND t.state = 'RUNNING' AND t.worker_id = ?
               AND t.attempt = (c.attempts ->> t.id::text)::int
            RETURNING t.id
            """;

    /**
     * Returns RUNNING tasks whose lease expired (their worker died or stalled) to READY, or FAILED
     * when that was their last attempt. SKIP LOCKED makes concurrent reapers take disjoint rows.
     * Params: limit, error text.
     */
    static final String REAP_EXPIRED = """
            WITH expired AS MATERIALIZED (
                SELECT id FROM task
                 WHERE state = 'RUNNING' AND lease_expires_at < now()
                 ORDER BY lease_expires_at
                 LIMIT ?
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE task t
               SET state = CASE WHEN t.attempt < t.max_attempt THEN 'READY' ELSE 'FAILED' END,
                   available_at = now(), ready_at = now(),
                   finished_at = CASE WHEN t.attempt < t.max_attempt THEN NULL ELSE now() END,
                   error = ?, worker_id = NULL, lease_expires_at = NULL
              FROM expired
             WHERE t.id = expired.id
            RETURNING t.id, t.attempt, t.state, t.run_id
            """;

    /**
     * Tasks the database says this worker runs. After a claim whose commit reply was lost, some
     * of them may be unknown to the worker; they are handed back instead of waiting for their
     * lease to run out. "lease_expires_at IS NOT NULL" (always true when RUNNING) lets it use
     * task_running_lease_idx. Params: worker, minimum age ms (younger claims may still be starting).
     */
    static final String CLAIMED_BY = """
            SELECT id, attempt FROM task
             WHERE state = 'RUNNING' AND lease_expires_at IS NOT NULL
               AND worker_id = ? AND started_at < now() - ? * interval '1 millisecond'
            """;

    /**
     * Gives tasks back at shutdown: READY at once for another replica, and the attempt is not
     * charged against the task's budget because the task did nothing wrong.
     * Params: attempts (json, as in HEARTBEAT), ids, worker.
     */
    static final String HAND_BACK = """
            WITH c AS MATERIALIZED (SELECT ?::jsonb AS attempts)
            UPDATE task t
               SET state = 'READY', available_at = now(), ready_at = now(), max_attempt = t.max_attempt + 1,
                   worker_id = NULL, lease_expires_at = NULL
              FROM c
             WHERE t.id = ANY(?::bigint[]) AND t.state = 'RUNNING' AND t.worker_id = ?
               AND t.attempt = (c.attempts ->> t.id::text)::int
            RETURNING t.id, t.attempt
            """;

    /**
     * Ends runs with no unfinished task left, paused ones too (nothing is left to hold back). A task
     * awaiting review is unfinished: a run waiting for a decision is neither SUCCEEDED nor FAILED.
     * Run after the finishing transaction commits, so of two tasks finishing at once the later one
     * always sees the other's final state.
     * OFFSET 0 keeps "any unfinished task?" a probe of one run's index entries: as an anti-join
     * under a drained queue's statistics, the planner read every unfinished task of every run.
     * Param: run ids.
     */
    static final String FINISH_RUNS = """
            UPDATE run r
               SET state = CASE
                       WHEN EXISTS (SELECT 1 FROM task WHERE run_id = r.id AND state IN ('FAILED', 'BLOCKED')) THEN 'FAILED'
                       WHEN EXISTS (SELECT 1 FROM task WHERE run_id = r.id AND state = 'CANCELLED') THEN 'CANCELLED'
                       ELSE 'SUCCEEDED' END,
                   finished_at = now(), paused_reason = NULL
             WHERE r.id = ANY(?) AND r.state IN ('RUNNING', 'PAUSED')
               AND NOT EXISTS (SELECT 1 FROM task WHERE run_id = r.id
                                  AND state IN ('WAITING', 'READY', 'RUNNING', 'AWAITING_REVIEW') OFFSET 0)
            RETURNING r.id, r.state
            """;

    /**
     * Wakes the claimers of every replica when the transaction commits (Postgres folds repeats
     * within one transaction into one), so a task made READY here waits no poll interval.
     */
    static final String NOTIFY_READY = "SELECT pg_notify('" + Channels.READY + "', '')";

    /** The reaper's safety net for a process that died between a task's commit and FINISH_RUNS. */
    static final String RUNNING_RUNS = "SELECT id FROM run WHERE state IN ('RUNNING', 'PAUSED')";
}
