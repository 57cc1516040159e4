-- The ordered log of every state change of a run and its tasks, written by triggers so that
-- no code path (claim, completion, reaper, cancel, rerun, hand-back) can change a state
-- without its event, and always in the same transaction as the change.
--
-- Order and resumption: readers order by (tx, id) and only read events whose transaction is
-- older than every transaction still in progress (pg_snapshot_xmin). An event committed later
-- therefore always sorts after everything already read, so a cursor never skips one.
CREATE TABLE run_event (
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    tx         xid8        NOT NULL DEFAULT pg_current_xact_id(),
    run_id     uuid        NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    task_name  text,
    state      text        NOT NULL,
    attempt    int,
    worker_id  text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (run_id, tx, id)
);

CREATE FUNCTION record_task_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_event (run_id, task_name, state, attempt, worker_id)
    VALUES (NEW.run_id, NEW.name, NEW.state, NEW.attempt, NEW.worker_id);
    -- Identical notifications within one transaction are delivered once.
    PERFORM pg_notify('lattice_events', NEW.run_id::text);
    RETURN NULL;
END $$;

CREATE FUNCTION record_run_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_event (run_id, state) VALUES (NEW.id, NEW.state);
    PERFORM pg_notify('lattice_events', NEW.id::text);
    RETURN NULL;
END $$;

CREATE TRIGGER task_created AFTER INSERT ON task
    FOR EACH ROW EXECUTE FUNCTION record_task_event();
CREATE TRIGGER task_state_changed AFTER UPDATE OF state ON task
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.attempt IS DISTINCT FROM NEW.attempt)
    EXECUTE FUNCTION record_task_event();
CREATE TRIGGER run_created AFTER INSERT ON run
    FOR EACH ROW EXECUTE FUNCTION record_run_event();
CREATE TRIGGER run_state_changed AFTER UPDATE OF state ON run
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION record_run_event();
