-- One task per transaction: the statements the engine issues for one no-op task, in its order,
-- copied from src/main/java/com/latticeengine/store/TaskSql.java (the ? placeholders replaced
-- by pgbench variables; scripts/bench checks that the statement text still matches TaskSql).
-- Run with: pgbench -n -M prepared -f claim_complete.sql -c N -T S  (on a table pre-filled by setup.sql)
-- -M prepared matters: the engine's JDBC driver prepares its statements on the server too, and the
-- claim's settings keep one plan per connection (TaskSql.CLAIM_SETTINGS).
\set lim 1
\set cand 2
-- 1) claim, its own transaction with TaskSql.CLAIM_SETTINGS -- TaskSql.CLAIM with limit 1 (candidates per run: twice that); the final SELECT list is wrapped in
--    array_agg so pgbench keeps the ids in one row (\gset), the CTEs and the join are unchanged. Claimers
--    running at once rank the same candidates, and SKIP LOCKED may leave one with none: steps 2-4 then do not
--    run, and the driver counts the tasks that SUCCEEDED, not transactions
BEGIN;
SELECT set_config('synchronous_commit', 'off', true), set_config('enable_sort', 'off', true),
       set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true),
       pg_advisory_xact_lock_shared(hashtext('lattice.pause'));
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
           WHERE run_id = r.id AND state = 'READY' AND available_at <= now() AND limit_key IS NULL
           ORDER BY priority DESC, available_at, id
           LIMIT :cand
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
     LIMIT :lim
), claimed AS (
    UPDATE task t
       SET state = 'RUNNING', worker_id = 'pgbench-' || :client_id, attempt = t.attempt + 1,
           started_at = now(), lease_expires_at = now() + 30000 * interval '1 millisecond'
     WHERE t.id = ANY (ARRAY(SELECT id FROM picked))
    RETURNING t.id, t.run_id, t.name, t.project, t.attempt, t.worker_id, t.started_at, t.limit_key,
              t.priority
), recorded AS (
    INSERT INTO task_attempt (task_id, attempt, worker_id, started_at)
    SELECT id, attempt, worker_id, started_at FROM claimed
)
SELECT array_agg(c.id)::text AS ids, array_agg(c.attempt)::text AS attempts, (array_agg(c.run_id))[1] AS run_id,
       array_agg(c.name), array_agg(c.project::text), array_agg(r.requirements), array_agg(r.processor),
       array_agg(r.task_timeout_ms), array_agg(r.options::text), array_agg(c.limit_key), array_agg(c.priority), count(*) AS n
  FROM claimed c JOIN run r ON r.id = c.run_id
\gset
COMMIT;
\if :n > 0
-- 2) the claimed task's inputs (autocommit) -- TaskSql.INPUTS
SELECT i.to_task, f.name, i.relation, i.data_type, i.required, f.state, f.output::text, f.error,
       i.flow::text
  FROM task_input i JOIN task f ON f.id = i.from_task
 WHERE i.to_task = ANY(:ids::bigint[])
 ORDER BY i.to_task, i.position;
-- 3) completion, one transaction -- TaskSql.MARK_SUCCEEDED (which closes the attempt), RELEASE_DOWNSTREAM
BEGIN;
SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true);  -- TaskSql.BY_ID_SETTINGS
-- the JSON object of results is built here from the claimed ids; the engine builds it in Java (Jdbc.resultsById)
WITH c AS MATERIALIZED (SELECT (SELECT jsonb_object_agg(x.id::text, jsonb_build_object('attempt', x.attempt, 'output', '{"project":"pgbench","summary":"no-op"}'::jsonb))
                                  FROM unnest(:ids::bigint[], :attempts::int[]) AS x(id, attempt))::text::jsonb::jsonb AS results), marked AS (
    UPDATE task t
       SET state = CASE WHEN c.results -> t.id::text ->> 'review' IS NULL THEN 'SUCCEEDED'
                        ELSE 'AWAITING_REVIEW' END,
           output = c.results -> t.id::text -> 'output', error = NULL,
           finished_at = CASE WHEN c.results -> t.id::text ->> 'review' IS NULL THEN now() END,
           lease_expires_at = NULL
      FROM c
     WHERE t.id = ANY(:ids::bigint[]) AND t.state = 'RUNNING' AND t.worker_id = 'pgbench-' || :client_id
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
SELECT id, run_id, limited, state FROM marked;
WITH finished AS (
    SELECT i.to_task, count(DISTINCT i.from_task) AS n
      FROM task_input i
     WHERE i.from_task = ANY(:ids::bigint[])
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
RETURNING d.id, d.state;
COMMIT;
-- 4) end the run if nothing is left (autocommit) -- TaskSql.FINISH_RUNS
UPDATE run r
   SET state = CASE
           WHEN EXISTS (SELECT 1 FROM task WHERE run_id = r.id AND state IN ('FAILED', 'BLOCKED')) THEN 'FAILED'
           WHEN EXISTS (SELECT 1 FROM task WHERE run_id = r.id AND state = 'CANCELLED') THEN 'CANCELLED'
           ELSE 'SUCCEEDED' END,
       finished_at = now(), paused_reason = NULL
 WHERE r.id = ANY(ARRAY[:run_id::uuid]) AND r.state IN ('RUNNING', 'PAUSED')
   AND NOT EXISTS (SELECT 1 FROM task WHERE run_id = r.id
                      AND state IN ('WAITING', 'READY', 'RUNNING', 'AWAITING_REVIEW') OFFSET 0)
RETURNING r.id, r.state;
\endif
