-- A run is one submission of a lattice; its tasks are the lattice's projects.
CREATE TABLE run (
    id              uuid        PRIMARY KEY,
    state           text        NOT NULL CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    requirements    text        NOT NULL,
    processor       text        NOT NULL,
    max_attempts    int         NOT NULL CHECK (max_attempts >= 1),
    task_timeout_ms bigint      NOT NULL CHECK (task_timeout_ms >= 1),
    options         jsonb       NOT NULL DEFAULT '{}',
    idempotency_key text        UNIQUE,
    task_count      int         NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX run_newest_idx ON run (created_at DESC, id DESC);

CREATE TABLE task (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id           uuid        NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    name             text        NOT NULL,
    position         int         NOT NULL,
    layer            int         NOT NULL,
    project          jsonb       NOT NULL,
    state            text        NOT NULL CHECK (state IN ('WAITING', 'READY', 'RUNNING', 'SUCCEEDED', 'FAILED', 'BLOCKED', 'CANCELLED')),
    -- distinct upstream tasks that have not yet reached the state this task needs from them
    remaining_inputs int         NOT NULL CHECK (remaining_inputs >= 0),
    -- number of the latest attempt; attempts only grow, so (id, attempt) fences a worker's claim
    attempt          int         NOT NULL DEFAULT 0,
    -- highest attempt number this task may reach before it fails for good (raised by a rerun)
    max_attempt      int         NOT NULL,
    worker_id        text,
    lease_expires_at timestamptz,
    available_at     timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    ready_at         timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    output           jsonb,
    error            text,
    UNIQUE (run_id, name)
);
-- The claim scans only READY rows in the order it takes them.
CREATE INDEX task_ready_idx ON task (available_at, id) WHERE state = 'READY';
-- The reaper scans only RUNNING rows by lease.
CREATE INDEX task_running_lease_idx ON task (lease_expires_at) WHERE state = 'RUNNING';
-- "Is this run finished?" looks only at unfinished rows.
CREATE INDEX task_unfinished_idx ON task (run_id) WHERE state IN ('WAITING', 'READY', 'RUNNING');

-- One row per input link: a parent link or a data flow. Two links between the same pair of
-- tasks are two inputs but one upstream dependency (the counter counts distinct from_task).
CREATE TABLE task_input (
    to_task   bigint  NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    position  int     NOT NULL,
    from_task bigint  NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    relation  text    NOT NULL CHECK (relation IN ('parent', 'data_flow')),
    data_type text,
    required  boolean NOT NULL,
    PRIMARY KEY (to_task, position)
);
CREATE INDEX task_input_from_idx ON task_input (from_task, to_task);

CREATE TABLE task_attempt (
    task_id     bigint      NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    attempt     int         NOT NULL,
    worker_id   text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text        CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'LOST', 'TIMED_OUT', 'CANCELLED')),
    error       text,
    output      jsonb,
    PRIMARY KEY (task_id, attempt)
);
