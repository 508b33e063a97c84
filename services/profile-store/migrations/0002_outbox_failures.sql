-- A message the catalogue schema rejects can never be published; it is set aside with the reason
-- (kept, not pruned) instead of blocking every message behind it.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS failed_reason text;
DROP INDEX IF EXISTS outbox_pending;
CREATE INDEX IF NOT EXISTS outbox_pending_v2 ON outbox (id) WHERE published_at IS NULL AND failed_reason IS NULL;
