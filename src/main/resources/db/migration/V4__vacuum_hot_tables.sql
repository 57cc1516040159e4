-- Every task row is rewritten three or more times in a few seconds (READY -> RUNNING -> SUCCEEDED,
-- heartbeats), and state appears in partial-index predicates, so no update is HOT. Without
-- frequent vacuuming the partial indexes fill with dead entries that every claim and every
-- "is this run finished?" check must step over, and throughput falls as the table grows.
-- Vacuum these tables after a fixed number of changes, not a fraction of their (growing) size.
-- These settings only act where autovacuum is on (the Postgres default); see docs/DEPLOYMENT.md.
ALTER TABLE task SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                      autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE task_attempt SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                              autovacuum_vacuum_cost_delay = 0);
