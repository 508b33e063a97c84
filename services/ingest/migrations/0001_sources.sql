-- Sources: where events come from. Write keys live in the access-keys topic (hashed) and are
-- bound to a source by its id; this table holds what ingest needs to validate and normalize.
CREATE TABLE IF NOT EXISTS sources (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,99}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  channel text NOT NULL,
  -- ISO 3166-1 alpha-2; phones without a country code are read in it. NULL: only +E.164 accepted.
  default_region text CHECK (default_region ~ '^[A-Z]{2}$'),
  -- NULL: every Segment call type is allowed.
  allowed_event_types text[],
  -- events per second; NULL: the service default.
  rate_limit_per_second integer CHECK (rate_limit_per_second > 0),
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
