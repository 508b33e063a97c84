-- The durable copy of the identity graph. Redis holds the hot graph; everything needed to rebuild
-- it (links, merges, splits, quarantine) and to explain it (decisions, evidence) lives here.
-- Identifiers appear only as keyed hashes (HMAC of type:value), never raw.

CREATE TABLE IF NOT EXISTS profiles (
  profile_id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  created_by_event uuid,
  -- Set when the profile was absorbed by a merge: the forwarding pointer rebuild follows.
  merged_into uuid,
  merged_at timestamptz,
  -- Set when the profile was created by an unmerge.
  split_from uuid
);
CREATE INDEX IF NOT EXISTS profiles_merged_into_idx ON profiles (merged_into) WHERE merged_into IS NOT NULL;

-- identifier -> the profile it was attached to (absorbed profiles forward via profiles.merged_into).
CREATE TABLE IF NOT EXISTS links (
  identifier_hash text PRIMARY KEY,
  identifier_type text NOT NULL,
  profile_id uuid NOT NULL,
  event_id uuid,
  linked_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS links_profile_idx ON links (profile_id);

-- Co-occurrence evidence: two identifiers linked by the same event (a < b). Unmerge recomputes
-- connectivity from these edges without the removed identifier.
CREATE TABLE IF NOT EXISTS edges (
  a_hash text NOT NULL,
  b_hash text NOT NULL,
  event_id uuid,
  observed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (a_hash, b_hash)
);
CREATE INDEX IF NOT EXISTS edges_b_idx ON edges (b_hash);

CREATE TABLE IF NOT EXISTS merges (
  change_id uuid PRIMARY KEY,
  survivor_id uuid NOT NULL,
  absorbed_id uuid NOT NULL,
  linking_type text NOT NULL,
  linking_hash text NOT NULL,
  rule text NOT NULL,
  event_id uuid,
  message_id text,
  source_id text,
  at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS merges_survivor_idx ON merges (survivor_id);
CREATE INDEX IF NOT EXISTS merges_absorbed_idx ON merges (absorbed_id);

CREATE TABLE IF NOT EXISTS splits (
  change_id uuid PRIMARY KEY,
  profile_id uuid NOT NULL,
  removed_type text NOT NULL,
  removed_hash text NOT NULL,
  components jsonb NOT NULL,
  reason text NOT NULL,
  actor text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS splits_profile_idx ON splits (profile_id);

-- Refusals (limits, blocklist, quarantine) with the rule that decided them.
CREATE TABLE IF NOT EXISTS decisions (
  event_id uuid NOT NULL,
  identifier_hash text NOT NULL,
  outcome text NOT NULL,
  identifier_type text NOT NULL,
  profile_id uuid NOT NULL,
  rule text NOT NULL,
  detail text NOT NULL,
  message_id text,
  source_id text,
  at timestamptz NOT NULL,
  PRIMARY KEY (event_id, identifier_hash, outcome)
);
CREATE INDEX IF NOT EXISTS decisions_profile_idx ON decisions (profile_id);

-- Identifiers that may never link again (too shared, or removed by an operator).
CREATE TABLE IF NOT EXISTS quarantine (
  identifier_hash text PRIMARY KEY,
  identifier_type text NOT NULL,
  reason text NOT NULL,
  actor text NOT NULL,
  at timestamptz NOT NULL
);
