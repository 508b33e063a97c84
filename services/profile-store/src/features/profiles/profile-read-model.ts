import type { HashedIdentifier, JsonObject } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import {
  findProfile,
  findProfiles,
  findSurvivingProfile,
  resolveRoots,
  type ProfileRow,
} from './profile-repository';

export interface IdentityRecord {
  type: string;
  hash: string;
  rawSealed: string | null;
  firstSeen: string;
  lastSeen: string;
  sources: string[];
}

export interface TimelineEvent {
  eventId: string;
  occurredAt: string;
  receivedAt: string;
  sourceId: string;
  messageId: string;
  channel: string;
  type: string;
  name: string | null;
  revenue: number | null;
  currency: string | null;
  payload: JsonObject;
}

export interface EventFilter {
  type?: string | undefined;
  sourceId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  after?: { occurredAt: string; eventId: string } | undefined;
}

export interface ObservationRecord {
  id: string;
  trait: string;
  value: unknown;
  valueSealed: string | null;
  source: string;
  channel: string;
  observedAt: string;
  eventId: string;
}

/** A profile by id, following the merge chain; `requestedId` differs from `id` when it did. */
export async function readProfile(
  db: Queryable,
  id: string,
): Promise<(ProfileRow & { requestedId: string }) | undefined> {
  let profile = await findSurvivingProfile(db, { id });
  if (profile?.mergedInto) {
    const roots = await resolveRoots(db, [id]);
    profile = await findProfile(db, roots.get(id)!);
  }
  return profile ? { ...profile, requestedId: id } : undefined;
}

/** What `GET /v1/profiles/{id}` and lookup present: the golden record without its provenance. */
export interface ProfileView {
  id: string;
  version: number;
  traits: JsonObject;
  piiTraits: Record<string, string>;
  computed: JsonObject;
  consent: Record<string, string>;
  mergedFrom: string[];
  createdAt: string;
  updatedAt: string;
}

// Follows merged_into from each starting row to its survivor inside Postgres, carrying the view's
// columns, so a read is one round trip however many hops (merges keep chains one hop deep, so
// it is one or two primary-key probes) and however many profiles are asked for. `starts` yields
// (n, id): n says which request a survivor answers. Reads never compress paths: that is the
// writers' job. Timestamps come back already in Date#toISOString's format (millisecond precision,
// truncated like pg's own parser), sparing a Date parse and re-format per column per request.
const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const viewChain = (starts: string) => `WITH RECURSIVE chain AS (
    SELECT s.n, p.id, p.merged_into, 0 AS hops, p.version, p.traits, p.pii_traits, p.computed, p.consent,
           p.merged_from, p.created_at, p.updated_at
      FROM (${starts}) AS s(n, id) JOIN profiles p ON p.id = s.id
    UNION ALL
    SELECT c.n, p.id, p.merged_into, c.hops + 1, p.version, p.traits, p.pii_traits, p.computed, p.consent,
           p.merged_from, p.created_at, p.updated_at
      FROM chain c JOIN profiles p ON p.id = c.merged_into WHERE c.hops < 64)
  SELECT n, id, version, traits, pii_traits, computed, consent, merged_from,
         to_char(created_at AT TIME ZONE 'UTC', ${ISO_MS}) AS created_at,
         to_char(updated_at AT TIME ZONE 'UTC', ${ISO_MS}) AS updated_at
    FROM chain WHERE merged_into IS NULL`;

// Named statements: Postgres parses and plans them once per connection instead of per request
// (planning the recursive join cost more than executing it). The generic plans of the array
// forms probe the primary keys per element (unnest is estimated at 10 rows), like the single ones.
const VIEW_BY_ID = { name: 'profile_store.view_by_id', text: viewChain('SELECT 1::bigint, $1::uuid') };
const VIEWS_BY_IDS = {
  name: 'profile_store.views_by_ids',
  text: viewChain('SELECT u.n, u.id FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)'),
};
const VIEW_BY_IDENTIFIER = {
  name: 'profile_store.view_by_identifier',
  text: viewChain('SELECT 1::bigint, i.profile_id FROM identities i WHERE i.type = $1 AND i.hash = $2'),
};
const VIEWS_BY_IDENTIFIERS = {
  name: 'profile_store.views_by_identifiers',
  text: viewChain(`SELECT k.n, i.profile_id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(type, hash, n)
      JOIN identities i ON i.type = k.type AND i.hash = k.hash`),
};

interface DbProfileView {
  n: string;
  id: string;
  version: string;
  traits: JsonObject;
  pii_traits: Record<string, string>;
  computed: JsonObject;
  consent: Record<string, string>;
  merged_from: string[];
  created_at: string;
  updated_at: string;
}

const toView = (row: DbProfileView): ProfileView => ({
  id: row.id,
  version: Number(row.version),
  traits: row.traits,
  piiTraits: row.pii_traits,
  computed: row.computed,
  consent: row.consent,
  mergedFrom: row.merged_from,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Answers in request order: `undefined` where nothing was found. */
function inRequestOrder(count: number, rows: DbProfileView[]): Array<ProfileView | undefined> {
  const views = new Array<ProfileView | undefined>(count).fill(undefined);
  for (const row of rows) views[Number(row.n) - 1] = toView(row);
  return views;
}

/** The surviving profile of an id (itself, or the end of its merge chain), in one round trip. */
export async function readProfileView(db: Queryable, id: string): Promise<ProfileView | undefined> {
  const { rows } = await db.query<DbProfileView>({ ...VIEW_BY_ID, values: [id] });
  return rows[0] ? toView(rows[0]) : undefined;
}

/** The surviving profiles of several ids, in their order, in one round trip. */
export async function readProfileViews(
  db: Queryable,
  ids: readonly string[],
): Promise<Array<ProfileView | undefined>> {
  const { rows } = await db.query<DbProfileView>({ ...VIEWS_BY_IDS, values: [ids] });
  return inRequestOrder(ids.length, rows);
}

/** The surviving profile owning an identifier hash, in one round trip. */
export async function readProfileViewByIdentifier(
  db: Queryable,
  key: HashedIdentifier,
): Promise<ProfileView | undefined> {
  const { rows } = await db.query<DbProfileView>({ ...VIEW_BY_IDENTIFIER, values: [key.type, key.hash] });
  return rows[0] ? toView(rows[0]) : undefined;
}

/** The surviving profiles owning several identifier hashes, in their order, in one round trip. */
export async function readProfileViewsByIdentifier(
  db: Queryable,
  keys: readonly HashedIdentifier[],
): Promise<Array<ProfileView | undefined>> {
  const { rows } = await db.query<DbProfileView>({
    ...VIEWS_BY_IDENTIFIERS,
    values: [keys.map((k) => k.type), keys.map((k) => k.hash)],
  });
  return inRequestOrder(keys.length, rows);
}

export async function readIdentities(db: Queryable, profileId: string): Promise<IdentityRecord[]> {
  const { rows } = await db.query<{
    type: string;
    hash: string;
    raw_sealed: string | null;
    first_seen: Date;
    last_seen: Date;
    sources: string[];
  }>(
    'SELECT type, hash, raw_sealed, first_seen, last_seen, sources FROM identities WHERE profile_id = $1 ORDER BY type, first_seen',
    [profileId],
  );
  return rows.map((r) => ({
    type: r.type,
    hash: r.hash,
    rawSealed: r.raw_sealed,
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    sources: r.sources,
  }));
}

/** Newest first, keyset-paginated on (occurred_at, event_id). */
export async function readEvents(db: Queryable, profileId: string, f: EventFilter): Promise<TimelineEvent[]> {
  const where = ['profile_id = $1'];
  const params: unknown[] = [profileId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.type !== undefined) add('type = ?', f.type);
  if (f.sourceId !== undefined) add('source_id = ?', f.sourceId);
  if (f.from !== undefined) add('occurred_at >= ?', f.from);
  if (f.to !== undefined) add('occurred_at < ?', f.to);
  if (f.after !== undefined) {
    params.push(f.after.occurredAt, f.after.eventId);
    where.push(`(occurred_at, event_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(f.limit);
  const { rows } = await db.query<{
    event_id: string;
    occurred_at: Date;
    received_at: Date;
    source_id: string;
    message_id: string;
    channel: string;
    type: string;
    name: string | null;
    revenue: string | null;
    currency: string | null;
    payload: JsonObject;
  }>(
    `SELECT event_id, occurred_at, received_at, source_id, message_id, channel, type, name, revenue, currency, payload
       FROM events WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, event_id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    occurredAt: r.occurred_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
    sourceId: r.source_id,
    messageId: r.message_id,
    channel: r.channel,
    type: r.type,
    name: r.name,
    revenue: r.revenue === null ? null : Number(r.revenue),
    currency: r.currency,
    payload: r.payload,
  }));
}

export async function readObservations(
  db: Queryable,
  profileId: string,
  traits?: string[],
): Promise<ObservationRecord[]> {
  const { rows } = await db.query<{
    id: string;
    trait: string;
    value: unknown;
    value_sealed: string | null;
    source: string;
    channel: string;
    observed_at: Date;
    event_id: string;
  }>(
    `SELECT id, trait, value, value_sealed, source, channel, observed_at, event_id FROM trait_observations
      WHERE profile_id = $1 AND ($2::text[] IS NULL OR trait = ANY($2::text[])) ORDER BY trait, observed_at DESC, id DESC`,
    [profileId, traits ?? null],
  );
  return rows.map((r) => ({
    id: String(r.id),
    trait: r.trait,
    value: r.value,
    valueSealed: r.value_sealed,
    source: r.source,
    channel: r.channel,
    observedAt: r.observed_at.toISOString(),
    eventId: r.event_id,
  }));
}

/** Profiles whose golden trait equals one of the candidate values (GIN jsonb_path_ops; OR keeps the index usable). */
export async function searchByTrait(
  db: Queryable,
  trait: string,
  candidates: unknown[],
  limit: number,
  afterId?: string,
): Promise<ProfileRow[]> {
  const params: unknown[] = candidates.map((v) => JSON.stringify({ [trait]: v }));
  const matches = candidates.map((_, i) => `traits @> $${i + 1}::jsonb`).join(' OR ');
  params.push(afterId ?? null, limit);
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM profiles WHERE (${matches}) AND ($${params.length - 1}::uuid IS NULL OR id > $${params.length - 1}::uuid)
      ORDER BY id LIMIT $${params.length}`,
    params,
  );
  return findProfiles(
    db,
    rows.map((r) => r.id),
  );
}

export async function readIdentityChanges(
  db: Queryable,
  ids: string[],
): Promise<Array<{ changeId: string; kind: string; details: JsonObject; appliedAt: string }>> {
  const { rows } = await db.query<{ change_id: string; kind: string; details: JsonObject; applied_at: Date }>(
    `SELECT change_id, kind, details, applied_at FROM identity_changes
      WHERE profile_id = ANY($1::uuid[]) OR other_ids && $1::uuid[] ORDER BY applied_at`,
    [ids],
  );
  return rows.map((r) => ({
    changeId: r.change_id,
    kind: r.kind,
    details: r.details,
    appliedAt: r.applied_at.toISOString(),
  }));
}
