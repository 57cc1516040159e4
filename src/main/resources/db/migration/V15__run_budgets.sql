-- Budgets (issue 15): a run's token and cost caps, what its model calls spent, and what calls in
-- flight have reserved. A separate row, not columns of run: every model call updates it twice
-- (reserve, settle), and run's state trigger, its row lock (cancel, rerun) and its row size stay
-- out of that. Every run has one, so spend is tracked (and a budget can be set later) for all runs.
CREATE TABLE run_budget (
    run_id            uuid    PRIMARY KEY REFERENCES run (id) ON DELETE CASCADE,
    max_tokens        bigint  CHECK (max_tokens > 0),
    max_cost_usd      numeric CHECK (max_cost_usd > 0),
    spent_tokens      bigint  NOT NULL DEFAULT 0,
    spent_cost_usd    numeric NOT NULL DEFAULT 0,
    reserved_tokens   bigint  NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
    reserved_cost_usd numeric NOT NULL DEFAULT 0 CHECK (reserved_cost_usd >= 0),
    -- the worst case of the call that paused the run: a new budget that covers it resumes the run
    needed_tokens     bigint,
    needed_cost_usd   numeric
);

-- One row per model call in flight, tied to its task attempt: when the attempt is no longer
-- RUNNING (failed, timed out, reaped, handed back, cancelled) without settling, the reaper's sweep
-- charges the reservation in full. No foreign key to task: its key-share lock would order a
-- reservation after the task row, while the reaper locks tasks first.
CREATE TABLE budget_reservation (
    run_id      uuid        NOT NULL REFERENCES run_budget (run_id) ON DELETE CASCADE,
    task_id     bigint      NOT NULL,
    attempt     int         NOT NULL,
    call        int         NOT NULL,
    tokens      bigint      NOT NULL CHECK (tokens >= 0),
    cost_usd    numeric     NOT NULL CHECK (cost_usd >= 0),
    reserved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, attempt, call)
);
CREATE INDEX budget_reservation_run_idx ON budget_reservation (run_id);

-- Runs from before budgets: their spend so far, from the attempts' recorded usage.
INSERT INTO run_budget (run_id, spent_tokens, spent_cost_usd)
SELECT r.id, coalesce(sum(a.input_tokens + a.output_tokens), 0), coalesce(sum(a.cost_usd), 0)
  FROM run r LEFT JOIN task t ON t.run_id = r.id LEFT JOIN task_attempt a ON a.task_id = t.id
 GROUP BY r.id;

-- An attempt given back because the run's budget could not cover its next call: not charged
-- against the task's attempts, like a rate limit.
ALTER TABLE task_attempt DROP CONSTRAINT task_attempt_outcome_check;
ALTER TABLE task_attempt ADD CONSTRAINT task_attempt_outcome_check
    CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'LOST', 'TIMED_OUT', 'CANCELLED', 'RATE_LIMITED', 'OVER_BUDGET'));
