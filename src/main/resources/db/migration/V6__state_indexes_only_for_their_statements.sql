-- Statements that address tasks by id (a completion's fenced UPDATE ... WHERE t.id = c.id AND
-- state = 'RUNNING', heartbeats, hand-backs, downstream releases) must reach them through the
-- primary key. Statistics of a queue table are usually taken while it is drained, and then say
-- that almost no task is WAITING, READY or RUNNING; with them the planner chose a state-partial
-- index for those statements instead, and read every entry of it, dead ones included, on every
-- completion: S1 fell from about 12,000 to 1,000 tasks/s.
--
-- So each state-partial index also requires a condition that only the statements it serves
-- state, and the planner cannot use it for any other. Both conditions always hold for the rows
-- in question (run_id is NOT NULL; a RUNNING task always has a lease).
DROP INDEX task_unfinished_idx;
-- "Is this run finished?" and cancel: they name the run (run_id = ...).
CREATE INDEX task_unfinished_idx ON task (run_id)
    WHERE state IN ('WAITING', 'READY', 'RUNNING') AND run_id IS NOT NULL;

DROP INDEX task_running_lease_idx;
-- The reaper (lease_expires_at < now()) and the orphan check (lease_expires_at IS NOT NULL).
CREATE INDEX task_running_lease_idx ON task (lease_expires_at)
    WHERE state = 'RUNNING' AND lease_expires_at IS NOT NULL;
