-- Tasks whose processor calls share a provider limit (e.g. one LLM endpoint and model) carry
-- its key; the claim caps how many of them run cluster-wide and respects rate-limit holds.
ALTER TABLE task ADD COLUMN limit_key text;
CREATE INDEX task_running_limited_idx ON task (limit_key) WHERE state = 'RUNNING' AND limit_key IS NOT NULL;

-- A rate-limited attempt gives its task back without spending the attempt budget.
ALTER TABLE task_attempt DROP CONSTRAINT task_attempt_outcome_check;
ALTER TABLE task_attempt ADD CONSTRAINT task_attempt_outcome_check
    CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'LOST', 'TIMED_OUT', 'CANCELLED', 'RATE_LIMITED'));

-- Usage of each attempt; a cached attempt reused an earlier output and called nothing.
ALTER TABLE task_attempt
    ADD COLUMN model         text,
    ADD COLUMN input_tokens  bigint,
    ADD COLUMN output_tokens bigint,
    ADD COLUMN latency_ms    bigint,
    ADD COLUMN cost_usd      numeric(14, 6),
    ADD COLUMN cached        boolean NOT NULL DEFAULT false;

-- Outputs by the key of everything they depend on (model, parameters, rendered prompt).
CREATE TABLE result_cache (
    cache_key  text        PRIMARY KEY,
    output     jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Cluster-wide pause after a provider's 429: no claim hands out a task of this key before hold_until.
CREATE TABLE rate_limit_hold (
    limit_key  text        PRIMARY KEY,
    hold_until timestamptz NOT NULL
);
