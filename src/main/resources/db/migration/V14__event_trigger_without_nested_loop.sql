-- The event trigger of V7 joins a statement's old and new task rows. PL/pgSQL plans that join
-- once per session, when the trigger first fires, typically for a claim or a completion of a few
-- tasks, and keeps the plan: a nested loop over the two transition tables. A later statement on
-- the same connection that changes 19,000 tasks (a cancel, a rerun of a big run) then compared
-- every pair: 22 s with the completer's and the heartbeat's rows locked behind it (seen in
-- FairShareTest with auto_explain). Nested loops are off while the join is planned and run, so
-- whatever size it is planned at, the plan is a hash or merge join; the caller's setting is put
-- back before the trigger returns.
CREATE OR REPLACE FUNCTION record_changed_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed_run uuid;
    nestloop text := current_setting('enable_nestloop');
BEGIN
    PERFORM set_config('enable_nestloop', 'off', true);
    FOR changed_run IN
        INSERT INTO run_event (run_id, state, worker_id, task_names, attempts)
        SELECT n.run_id, n.state, n.worker_id, array_agg(n.name ORDER BY n.id), array_agg(n.attempt ORDER BY n.id)
          FROM new_tasks n JOIN old_tasks o ON o.id = n.id
         WHERE o.state IS DISTINCT FROM n.state OR o.attempt IS DISTINCT FROM n.attempt
         GROUP BY n.run_id, n.state, n.worker_id
        RETURNING run_id
    LOOP
        PERFORM pg_notify('lattice_events', changed_run::text);
    END LOOP;
    PERFORM set_config('enable_nestloop', nestloop, true);
    RETURN NULL;
END $$;
