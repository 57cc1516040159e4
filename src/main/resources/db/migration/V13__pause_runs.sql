-- Pause and resume (issue 15): a PAUSED run keeps its READY tasks READY, and the claim, which only
-- walks RUNNING runs (run_running_idx), hands none of them out; running tasks finish and are
-- recorded. paused_reason says who paused it: an operator by hand, or the run's budget.
ALTER TABLE run DROP CONSTRAINT run_state_check;
ALTER TABLE run ADD CONSTRAINT run_state_check
    CHECK (state IN ('RUNNING', 'PAUSED', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
ALTER TABLE run ADD COLUMN paused_reason text CHECK (paused_reason IN ('operator', 'budget'));
ALTER TABLE run ADD CONSTRAINT run_paused_has_reason_check CHECK ((state = 'PAUSED') = (paused_reason IS NOT NULL));
