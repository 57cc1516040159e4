-- Webhooks (issue 15): a run may name a callback URL and the events it wants. Deliveries are an
-- outbox: triggers write them in the transaction that changes the state, so no code path (the
-- completer's FINISH_RUNS, a cancel, an operator's or a budget's pause, a review gate) can change
-- a state without its delivery, and no delivery exists for a change that rolled back. Any replica's
-- sender (webhooks/WebhookSender) takes due rows with SKIP LOCKED.
ALTER TABLE run ADD COLUMN callback_url text, ADD COLUMN callback_events text[];
ALTER TABLE run ADD CONSTRAINT run_callback_check CHECK ((callback_url IS NULL) = (callback_events IS NULL));

CREATE TABLE webhook_delivery (
    -- sent as X-Lattice-Delivery on every attempt: the receiver's de-duplication key
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    run_id           uuid        NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    event            text        NOT NULL CHECK (event IN ('run.finished', 'run.paused', 'task.awaiting_review')),
    -- the run's callback when the event happened
    url              text        NOT NULL,
    run_state        text        NOT NULL,
    paused_reason    text,
    task_name        text,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    status           text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    -- attempts only grow, and each claim takes the next one, so (id, attempts) fences a sender's claim
    attempts         int         NOT NULL DEFAULT 0,
    -- when PENDING: due time; while a sender holds the row it is that sender's lease expiry
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- worker id of the replica that took the latest attempt
    sender           text,
    -- the exact bytes signed and sent, fixed by the first attempt so that every retry is identical
    body             text,
    last_status_code int,
    last_error       text,
    finished_at      timestamptz,
    CHECK ((status = 'PENDING') = (finished_at IS NULL))
);
-- The sender scans only pending rows, in due order.
CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_run_idx ON webhook_delivery (run_id, occurred_at);

-- run.finished when the run became SUCCEEDED, FAILED or CANCELLED (again, after a rerun); run.paused
-- when it became PAUSED or a paused run's reason changed (an operator took over a budget pause).
CREATE FUNCTION enqueue_run_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event text := CASE WHEN NEW.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN 'run.finished'
                       WHEN NEW.state = 'PAUSED' THEN 'run.paused' END;
BEGIN
    IF event = ANY (NEW.callback_events) THEN
        INSERT INTO webhook_delivery (run_id, event, url, run_state, paused_reason)
        VALUES (NEW.id, event, NEW.callback_url, NEW.state, NEW.paused_reason);
    END IF;
    RETURN NULL;
END $$;
-- Runs without a callback pay only this WHEN clause: no function call, no insert; nor do resumes and reruns.
CREATE TRIGGER run_webhook AFTER UPDATE OF state ON run FOR EACH ROW
    WHEN (NEW.callback_events IS NOT NULL AND NEW.state <> 'RUNNING'
          AND (OLD.state IS DISTINCT FROM NEW.state OR OLD.paused_reason IS DISTINCT FROM NEW.paused_reason))
    EXECUTE FUNCTION enqueue_run_webhook();

-- task.awaiting_review (the review gates' state, V16). A row trigger whose WHEN only matches a
-- task entering AWAITING_REVIEW, rather than another pass in record_changed_tasks (V14): the
-- claim and the completion, which move tens of tasks per statement and never to that state, pay a
-- comparison per row in the executor and call nothing, and V14's statement trigger stays as it is.
CREATE FUNCTION enqueue_review_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_delivery (run_id, event, url, run_state, task_name)
    SELECT r.id, 'task.awaiting_review', r.callback_url, r.state, NEW.name
      FROM run r
     WHERE r.id = NEW.run_id AND 'task.awaiting_review' = ANY (r.callback_events);
    RETURN NULL;
END $$;
CREATE TRIGGER task_review_webhook AFTER UPDATE OF state ON task FOR EACH ROW
    WHEN (NEW.state = 'AWAITING_REVIEW' AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION enqueue_review_webhook();
