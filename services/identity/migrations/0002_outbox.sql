-- Transactional outbox: an unmerge's SplitChangeV1 and its audit event are written here in the
-- unmerge's own transaction and relayed to Kafka after the commit (@tessera/outbox), so a split
-- that committed always reaches profile-store and the audit log, even if the process dies or
-- Kafka is away right after the commit. Same shape as profile-store's outbox; a NULL payload
-- would be a tombstone (identity publishes none).
CREATE TABLE IF NOT EXISTS outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic text NOT NULL,
  key text NOT NULL,
  payload jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  -- Set when the topic schema refused the message: kept with the reason, never retried.
  failed_reason text
);
-- The table is new and empty here, so a plain (non-concurrent) index build is instant.
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE published_at IS NULL AND failed_reason IS NULL;
