-- A callback may bring its own signing secret (callback.secret). With many tenants, one shared
-- lattice.webhooks.secret lets every tenant's receiver, which must know it to verify, forge
-- deliveries to every other tenant's receiver. Only the webhook sender reads this column; no view
-- or event returns it, and it goes with its run.
ALTER TABLE run ADD COLUMN callback_secret text,
    ADD CONSTRAINT run_callback_secret_check CHECK (callback_secret IS NULL OR callback_url IS NOT NULL);
