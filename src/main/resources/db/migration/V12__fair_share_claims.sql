-- Fair share (issue 15): the claim takes candidates run by run, in each run's critical-path order,
-- and hands them out in turns per tenant, then per run (TaskSql.CLAIM_TEMPLATE). So each ready
-- index leads with run_id, and the claim probes it once per RUNNING run; the global orders of V5
-- have no statement left that reads them in order (the queue gauge reads these as well as those).
DROP INDEX task_ready_idx;
DROP INDEX task_ready_limited_idx;
CREATE INDEX task_ready_run_idx ON task (run_id, priority DESC, available_at, id)
    WHERE state = 'READY' AND limit_key IS NULL;
CREATE INDEX task_ready_limited_run_idx ON task (run_id, priority DESC, available_at, id)
    WHERE state = 'READY' AND limit_key IS NOT NULL;
-- The claim walks the runs that may hand out tasks; finished runs pile up and never do.
CREATE INDEX run_running_idx ON run (id) WHERE state = 'RUNNING';
