-- A task can reach AWAITING_REVIEW while its run is PAUSED (a call in flight when the pause came
-- finishes and is recorded): its task.awaiting_review delivery then said "state": "PAUSED" with
-- "paused_reason": null. The run's reason now comes along, as in the run's own deliveries (V17).
CREATE OR REPLACE FUNCTION enqueue_review_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_delivery (run_id, event, url, run_state, paused_reason, task_name)
    SELECT r.id, 'task.awaiting_review', r.callback_url, r.state, r.paused_reason, NEW.name
      FROM run r
     WHERE r.id = NEW.run_id AND 'task.awaiting_review' = ANY (r.callback_events);
    RETURN NULL;
END $$;
