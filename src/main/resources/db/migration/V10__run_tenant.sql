-- Issue 14: every run belongs to its submitter's tenant. Runs written before (or with auth off)
-- belong to 'default'. An Idempotency-Key is unique per tenant only, so another tenant reusing a
-- key gets its own run instead of someone else's.
ALTER TABLE run ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE run DROP CONSTRAINT run_idempotency_key_key;
ALTER TABLE run ADD CONSTRAINT run_tenant_idempotency_key_key UNIQUE (tenant, idempotency_key);
-- A tenant's list, newest first (admins keep using run_newest_idx).
CREATE INDEX run_tenant_newest_idx ON run (tenant, created_at DESC, id DESC);
