import type { JsonObject } from '@tessera/contracts';
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

/** The surviving profile owning an identifier (one round trip in the common case). */
export async function readProfileByIdentifier(
  db: Queryable,
  type: string,
  hash: string,
): Promise<ProfileRow | undefined> {
  const profile = await findSurvivingProfile(db, { type, hash });
  return profile?.mergedInto ? readProfile(db, profile.id) : profile;
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
