-- Golden records. `traits` holds non-personal golden values (searchable with jsonb_path_ops);
-- personal golden values live sealed (FieldEncryptor) in `pii_traits`; `trait_winners` names the
-- observation that decided each trait. An absorbed profile keeps its row as a pointer
-- (`merged_into`) so late events and reads follow the merge chain.
CREATE TABLE IF NOT EXISTS profiles (
  id uuid PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0,
  traits jsonb NOT NULL DEFAULT '{}'::jsonb,
  pii_traits jsonb NOT NULL DEFAULT '{}'::jsonb,
  trait_winners jsonb NOT NULL DEFAULT '{}'::jsonb,
  computed jsonb NOT NULL DEFAULT '{}'::jsonb,
  consent jsonb NOT NULL DEFAULT '{}'::jsonb,
  merged_into uuid,
  merged_from uuid[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS profiles_traits_gin ON profiles USING gin (traits jsonb_path_ops);
CREATE INDEX IF NOT EXISTS profiles_merged_into ON profiles (merged_into) WHERE merged_into IS NOT NULL;

-- One row per identifier: the keyed hash (same HMAC as identity) is the lookup key, the raw value
-- is sealed. An identifier belongs to one profile at a time.
CREATE TABLE IF NOT EXISTS identities (
  type text NOT NULL,
  hash text NOT NULL,
  profile_id uuid NOT NULL,
  raw_sealed text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  sources text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (type, hash)
);
CREATE INDEX IF NOT EXISTS identities_profile ON identities (profile_id);

-- Every observed trait value with provenance. Personal values are sealed in `value_sealed`
-- (`value` null) and compared through `value_key`, a keyed hash, so survivorship never decrypts.
CREATE TABLE IF NOT EXISTS trait_observations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  profile_id uuid NOT NULL,
  trait text NOT NULL,
  value jsonb,
  value_sealed text,
  value_key text NOT NULL,
  source text NOT NULL,
  channel text NOT NULL,
  observed_at timestamptz NOT NULL,
  event_id uuid NOT NULL
);
CREATE INDEX IF NOT EXISTS trait_observations_profile_trait ON trait_observations (profile_id, trait, observed_at);
CREATE INDEX IF NOT EXISTS trait_observations_event ON trait_observations (event_id);

-- The timeline, range-partitioned by month on occurred_at. Identifier values are not kept here
-- (only their hashes, `type:hash`); personal traits are in trait_observations.
CREATE TABLE IF NOT EXISTS events (
  event_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  source_id text NOT NULL,
  message_id text NOT NULL,
  channel text NOT NULL,
  type text NOT NULL,
  name text,
  is_order boolean NOT NULL DEFAULT false,
  revenue numeric,
  currency text,
  identifier_hashes text[] NOT NULL DEFAULT '{}',
  payload jsonb NOT NULL,
  PRIMARY KEY (occurred_at, event_id)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE IF NOT EXISTS events_default PARTITION OF events DEFAULT;
CREATE INDEX IF NOT EXISTS events_profile_time ON events (profile_id, occurred_at DESC, event_id DESC);
CREATE INDEX IF NOT EXISTS events_orders ON events (profile_id, occurred_at) WHERE is_order;

-- Idempotency across partitions: a unique (source_id, message_id) cannot be enforced on a table
-- partitioned by time, so the key lives here.
CREATE TABLE IF NOT EXISTS event_keys (
  source_id text NOT NULL,
  message_id text NOT NULL,
  event_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (source_id, message_id)
);

-- Applied identity changes (idempotency by change id, and the history the export returns).
CREATE TABLE IF NOT EXISTS identity_changes (
  change_id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('merge', 'split')),
  profile_id uuid NOT NULL,
  other_ids uuid[] NOT NULL,
  details jsonb NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS identity_changes_profile ON identity_changes (profile_id);
CREATE INDEX IF NOT EXISTS identity_changes_other ON identity_changes USING gin (other_ids);

-- Transactional outbox: written in the transaction of the change, relayed to Kafka afterwards.
-- A null payload is a tombstone.
CREATE TABLE IF NOT EXISTS outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  key text NOT NULL,
  payload jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS privacy_requests (
  request_id uuid PRIMARY KEY,
  kind text NOT NULL,
  profile_ids uuid[] NOT NULL,
  residue jsonb NOT NULL,
  completed_at timestamptz NOT NULL DEFAULT now()
);

-- Fitted CLV models, newest last; profiles are scored with the latest.
CREATE TABLE IF NOT EXISTS clv_models (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fitted_at timestamptz NOT NULL DEFAULT now(),
  calibration_end timestamptz NOT NULL,
  customers integer NOT NULL,
  params jsonb NOT NULL
);

-- Creates the monthly partitions of `events` for `months` months from `from_month`. A month whose
-- rows already landed in the default partition is skipped (attaching would fail); the job runs
-- ahead of time so that only happens for back-filled history.
CREATE OR REPLACE FUNCTION ensure_event_partitions(from_month date, months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  m date;
  created integer := 0;
  part text;
BEGIN
  FOR i IN 0 .. months - 1 LOOP
    m := (date_trunc('month', from_month) + make_interval(months => i))::date;
    part := format('events_%s', to_char(m, 'YYYYMM'));
    CONTINUE WHEN to_regclass(part) IS NOT NULL;
    CONTINUE WHEN EXISTS (
      SELECT 1 FROM events_default
      WHERE occurred_at >= (m::text || ' 00:00:00+00')::timestamptz
        AND occurred_at < ((m + interval '1 month')::date::text || ' 00:00:00+00')::timestamptz);
    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
      part, m::text || ' 00:00:00+00', (m + interval '1 month')::date::text || ' 00:00:00+00');
    created := created + 1;
  END LOOP;
  RETURN created;
END $$;

SELECT ensure_event_partitions((now() - interval '1 month')::date, 4);
