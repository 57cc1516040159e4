-- Review gates (issue 15): a processed task whose output trips its gate (review.when / review.always)
-- waits as AWAITING_REVIEW with its output stored, its downstream still WAITING, until a person
-- approves, edits, rejects or fails it. It is unfinished: its run stays open and a cancel ends it.
-- No worker holds it (no lease), so the reaper, which only reads RUNNING rows, never touches it.
ALTER TABLE task DROP CONSTRAINT task_state_check;
ALTER TABLE task ADD CONSTRAINT task_state_check CHECK (state IN
    ('WAITING', 'READY', 'RUNNING', 'AWAITING_REVIEW', 'SUCCEEDED', 'FAILED', 'BLOCKED', 'CANCELLED'));

-- "Is this run finished?" and cancel count AWAITING_REVIEW as unfinished; statements that name only
-- the other three states still use this index (their IN list implies its predicate).
DROP INDEX task_unfinished_idx;
CREATE INDEX task_unfinished_idx ON task (run_id)
    WHERE state IN ('WAITING', 'READY', 'RUNNING', 'AWAITING_REVIEW') AND run_id IS NOT NULL;

-- The review of one attempt's output: why it needed one (review_reason, set with the output), and
-- the decision: who (the caller's id), when, the comment, and for an edit the output that replaced
-- the attempt's own (which stays in output). A decision is taken once: review_decision IS NULL
-- while the attempt awaits it.
ALTER TABLE task_attempt
    ADD COLUMN review_reason   text,
    ADD COLUMN review_decision text CHECK (review_decision IN ('approve', 'edit', 'reject', 'fail')),
    ADD COLUMN reviewed_by     text,
    ADD COLUMN reviewed_at     timestamptz,
    ADD COLUMN review_comment  text,
    ADD COLUMN edited_output   jsonb,
    ADD CONSTRAINT task_attempt_decision_needs_review_check
        CHECK (review_decision IS NULL OR review_reason IS NOT NULL);

-- A decision is also an event of the run's log, next to the state change it makes (SSE "review").
ALTER TABLE run_event ADD COLUMN review_decision text;
