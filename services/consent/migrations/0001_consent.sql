-- Consent ledger: append-only. A subject is a profile id or a keyed identifier hash (`type:hash`).
-- Proof never holds a raw IP or user agent: only a keyed hash of them (proof_hash).
CREATE TABLE IF NOT EXISTS consent_records (
  record_id        uuid PRIMARY KEY,
  subject_key      text NOT NULL,
  profile_id       uuid,
  identifier_type  text,
  identifier_hash  text,
  purpose          text NOT NULL,
  status           text NOT NULL CHECK (status IN ('granted', 'denied', 'withdrawn')),
  source           text NOT NULL,
  reason           text,
  legal_basis      text,
  jurisdiction     text,
  form_id          text,
  proof_hash       text,
  recorded_at      timestamptz NOT NULL DEFAULT now(),
  effective_at     timestamptz NOT NULL,
  expires_at       timestamptz,
  -- Makes every input idempotent: an event's signal, a merge change, an API retry.
  idempotency_key  text UNIQUE,
  CHECK (profile_id IS NOT NULL OR (identifier_type IS NOT NULL AND identifier_hash IS NOT NULL)),
  CHECK (expires_at IS NULL OR expires_at > effective_at)
);
CREATE INDEX IF NOT EXISTS consent_records_subject ON consent_records (subject_key, purpose);

-- The last derived state per subject and purpose (what was published on the consent-change topic).
CREATE TABLE IF NOT EXISTS consent_state (
  subject_key         text NOT NULL,
  purpose             text NOT NULL,
  status              text NOT NULL CHECK (status IN ('granted', 'denied', 'withdrawn', 'unknown')),
  record_id           uuid,
  effective_at        timestamptz,
  next_transition_at  timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject_key, purpose)
);
CREATE INDEX IF NOT EXISTS consent_state_due ON consent_state (next_transition_at) WHERE next_transition_at IS NOT NULL;

-- Proof that a subject was erased, without personal data: the request id and when.
CREATE TABLE IF NOT EXISTS erasure_records (
  request_id      uuid PRIMARY KEY,
  erased_at       timestamptz NOT NULL,
  profile_count   integer NOT NULL,
  identifier_count integer NOT NULL,
  consent_records_removed integer NOT NULL
);

-- Destinations (synced from the destinations config file at start).
CREATE TABLE IF NOT EXISTS destinations (
  name               text PRIMARY KEY,
  required_purposes  text[] NOT NULL,
  allowed_traits     text[] NOT NULL,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
-- Who is currently in each activation feed, so a withdrawal knows whom to tombstone.
CREATE TABLE IF NOT EXISTS activation_members (
  destination  text NOT NULL,
  profile_id   uuid NOT NULL,
  version      bigint NOT NULL,
  -- false after a removal (tombstone): remembers the version so a stale update cannot re-add the profile.
  present      boolean NOT NULL DEFAULT true,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (destination, profile_id)
);
CREATE INDEX IF NOT EXISTS activation_members_profile ON activation_members (profile_id);

-- Data-subject requests. Personal data given by the requester is sealed (FieldEncryptor, PII_KEYRING);
-- subject_hashes is the keyed-hash blind index of the given identifiers.
CREATE TABLE IF NOT EXISTS privacy_requests (
  request_id           uuid PRIMARY KEY,
  kind                 text NOT NULL CHECK (kind IN ('access', 'erasure', 'rectification', 'opt_out_sale')),
  jurisdiction         text NOT NULL CHECK (jurisdiction IN ('gdpr', 'ccpa', 'lgpd')),
  status               text NOT NULL CHECK (status IN ('received', 'planned', 'dispatched', 'verifying', 'completed', 'failed')),
  subject_profile_id   uuid,
  subject_hashes       jsonb NOT NULL DEFAULT '[]',
  subject_sealed       text,
  requester_sealed     text,
  payload_sealed       text,
  plan                 jsonb,
  result               jsonb,
  bundle_sealed        text,
  actor                text NOT NULL,
  attempts             integer NOT NULL DEFAULT 0,
  last_error           text,
  received_at          timestamptz NOT NULL,
  due_at               timestamptz NOT NULL,
  dispatched_at        timestamptz,
  completed_at         timestamptz,
  lease_until          timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS privacy_requests_open ON privacy_requests (updated_at) WHERE status NOT IN ('completed', 'failed');
CREATE INDEX IF NOT EXISTS privacy_requests_subject ON privacy_requests (subject_profile_id);

CREATE TABLE IF NOT EXISTS privacy_request_services (
  request_id  uuid NOT NULL REFERENCES privacy_requests (request_id) ON DELETE CASCADE,
  service     text NOT NULL,
  status      text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  residue     integer,
  details     jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, service)
);

-- Hash-chained audit log: hash = sha256(prev_hash || canonical JSON of entry). One writer at a time
-- (advisory lock in the appender) keeps the chain linear.
CREATE TABLE IF NOT EXISTS audit_log (
  seq          bigint PRIMARY KEY,
  audit_id     uuid NOT NULL UNIQUE,
  entry        jsonb NOT NULL,
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  appended_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_log_profile ON audit_log ((entry -> 'subject' ->> 'profileId'));
CREATE INDEX IF NOT EXISTS audit_log_appended ON audit_log (appended_at);

-- Left by each retention purge: verification resumes from the last one (signature = HMAC with AUDIT_SIGNING_KEY).
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  through_seq   bigint PRIMARY KEY,
  hash          text NOT NULL,
  purged_rows   bigint NOT NULL,
  purged_at     timestamptz NOT NULL,
  signature     text NOT NULL
);

-- The log is append-only: UPDATE and DELETE are refused unless the retention purge function set the
-- transaction-local flag. (A superuser can still disable the trigger; the hash chain catches that.)
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('consent.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();

-- Deletes the prefix seq <= through_seq; only this function may delete.
CREATE OR REPLACE FUNCTION purge_audit_prefix(through bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  removed bigint;
BEGIN
  PERFORM set_config('consent.audit_purge', 'on', true);
  DELETE FROM audit_log WHERE seq <= through;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('consent.audit_purge', 'off', true);
  RETURN removed;
END;
$$;

-- Transactional outbox: consent changes and activation feed records are committed with the state
-- that caused them and published by the relay (at least once; consumers dedupe by changeId / version).
CREATE TABLE IF NOT EXISTS outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic       text NOT NULL,
  key         text NOT NULL,
  payload     jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
