-- Pre-fills lattice_bench for the pgbench ceilings: one RUNNING run with :tasks READY no-op tasks
-- (no inputs), the shape of S1. Run with: psql -v tasks=N -f setup.sql (the engine's replicas stopped).
TRUNCATE run, task, task_input, task_attempt CASCADE;
INSERT INTO run (id, state, requirements, processor, max_attempts, task_timeout_ms, task_count)
VALUES ('00000000-0000-0000-0000-00000000be9c', 'RUNNING', 'pgbench ceiling', 'simulated', 3, 600000, :tasks);
INSERT INTO task (run_id, name, position, layer, project, state, remaining_inputs, max_attempt, ready_at)
SELECT '00000000-0000-0000-0000-00000000be9c', 'p' || g, g, 1,
       jsonb_build_object('name', 'p' || g, 'layer', 1, 'simulate', jsonb_build_object('latency_ms', 0)),
       'READY', 0, 3, now()
  FROM generate_series(1, :tasks) g;
VACUUM ANALYZE task;
VACUUM ANALYZE task_attempt;
VACUUM ANALYZE run;
