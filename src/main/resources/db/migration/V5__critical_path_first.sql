-- Claims take the READY task with the longest chain of work still behind it first (the
-- critical-path list schedule): on a lattice wider than its slots, first-ready-first-served
-- starts side branches while the chain that decides the run's end waits. Rows written before
-- this migration keep priority 1, i.e. the previous first-ready order.
ALTER TABLE task ADD COLUMN priority int NOT NULL DEFAULT 1 CHECK (priority >= 1);

-- One index per claim statement, in the claim's order, so a claim reads only the rows it takes.
DROP INDEX task_ready_idx;
CREATE INDEX task_ready_idx ON task (priority DESC, available_at, id)
    WHERE state = 'READY' AND limit_key IS NULL;
CREATE INDEX task_ready_limited_idx ON task (priority DESC, available_at, id)
    WHERE state = 'READY' AND limit_key IS NOT NULL;
