package com.latticeengine.store;

/**
 * The webhook outbox's statements (table webhook_delivery, V17). A delivery is PENDING until one
 * attempt gets a 2xx (DELIVERED) or it outlives lattice.webhooks.max-age (FAILED); rows are kept
 * either way for the run's delivery list.
 */
final class DeliverySql {

    private DeliverySql() {
    }

    /**
     * Takes up to n due deliveries for one sender and leases them: next_attempt_at becomes the
     * lease expiry, so a sender that dies holding one (SIGKILL, lost network) simply lets it fall
     * due again and another replica's sender takes it; no reaper is needed. SKIP LOCKED keeps
     * concurrent senders on disjoint rows, and attempts + 1 is the claim's fence. The run's own
     * callback secret, if any, comes along for signing. Params: limit, lease ms, sender.
     */
    static final String CLAIM_DUE = """
            WITH due AS (
                SELECT id FROM webhook_delivery
                 WHERE status = 'PENDING' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at
                 LIMIT ?
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE webhook_delivery d
               SET attempts = d.attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond', sender = ?
              FROM due, run r
             WHERE d.id = due.id AND r.id = d.run_id
            RETURNING d.id, d.run_id, d.event, d.url, d.run_state, d.paused_reason, d.task_name, d.occurred_at,
                      d.attempts, d.body, r.tenant, r.callback_secret
            """;

    /**
     * The first attempt fixes the body; a sender that took the row over after a lapsed lease
     * finds it set and sends those bytes instead of its own. Params: body, id.
     */
    static final String FIX_BODY = """
            UPDATE webhook_delivery SET body = coalesce(body, ?) WHERE id = ? RETURNING body
            """;

    /**
     * A 2xx ends the delivery whichever claim made it: the receiver has it, and a later holder's
     * outcome (fenced on attempts below) must not reopen it. Params: status code, id.
     */
    static final String MARK_DELIVERED = """
            UPDATE webhook_delivery
               SET status = 'DELIVERED', finished_at = now(), last_status_code = ?, last_error = NULL
             WHERE id = ? AND status = 'PENDING'
            """;

    /**
     * A failed attempt schedules the next one, never later than the delivery's deadline
     * (occurred_at + max-age), and a failure at or after the deadline gives up. Only the current
     * claim (attempts unchanged) may write it. Params: status code (or null), error, delay ms,
     * max-age ms, id, attempt.
     */
    static final String RECORD_FAILURE = """
            WITH f AS (SELECT ?::int AS code, ?::text AS error, ? * interval '1 millisecond' AS delay,
                              ? * interval '1 millisecond' AS max_age)
            UPDATE webhook_delivery d
               SET last_status_code = f.code, last_error = f.error,
                   next_attempt_at = least(now() + f.delay, d.occurred_at + f.max_age),
                   status = CASE WHEN now() >= d.occurred_at + f.max_age THEN 'FAILED' ELSE 'PENDING' END,
                   finished_at = CASE WHEN now() >= d.occurred_at + f.max_age THEN now() END
              FROM f
             WHERE d.id = ? AND d.attempts = ? AND d.status = 'PENDING'
            RETURNING d.status
            """;

    /** A run's deliveries in the order their events happened. */
    static final String OF_RUN = """
            SELECT id, event, task_name, run_state, paused_reason, status, attempts, sender, last_status_code,
                   last_error, occurred_at, CASE WHEN status = 'PENDING' THEN next_attempt_at END, finished_at
              FROM webhook_delivery WHERE run_id = ? ORDER BY occurred_at, id
            """;
}
