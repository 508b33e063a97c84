import type { Queryable } from '@tessera/db';
import type { PiiVault } from '../profiles/pii-vault';
import { isPiiTrait } from '../traits/pii-traits';
import type { EventRow, IdentitySighting, TraitSighting } from './event-mapping';

/** Appends timeline rows (one statement; the partition is chosen by occurred_at). */
export async function insertEvents(db: Queryable, rows: EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO events (event_id, profile_id, occurred_at, received_at, source_id, message_id, channel, type, name,
                         is_order, revenue, currency, identifier_hashes, payload)
     SELECT e.event_id, e.profile_id, e.occurred_at, e.received_at, e.source_id, e.message_id, e.channel, e.type, e.name,
            e.is_order, e.revenue, e.currency, e.hashes::text[], e.payload
       FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::text[], $10::boolean[], $11::numeric[], $12::text[], $13::text[], $14::jsonb[])
         AS e(event_id, profile_id, occurred_at, received_at, source_id, message_id, channel, type, name,
              is_order, revenue, currency, hashes, payload)
     ON CONFLICT DO NOTHING`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.profileId),
      rows.map((r) => r.occurredAt),
      rows.map((r) => r.receivedAt),
      rows.map((r) => r.sourceId),
      rows.map((r) => r.messageId),
      rows.map((r) => r.channel),
      rows.map((r) => r.type),
      rows.map((r) => r.name),
      rows.map((r) => r.isOrder),
      rows.map((r) => r.revenue),
      rows.map((r) => r.currency),
      rows.map((r) => pgTextArray(r.identifierHashes)),
      rows.map((r) => JSON.stringify(r.payload)),
    ],
  );
}

/** A text[] literal; hashes are base64url and types snake_case, so quoting covers all we send. */
export function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Upserts identities. Raw values are sealed only for identifiers the store has not seen (one
 * lookup query first), so the steady state does no encryption. Within a batch an identifier is
 * folded to one row (Postgres refuses to update a row twice in one statement).
 */
export async function upsertIdentities(db: Queryable, vault: PiiVault, sightings: Array<IdentitySighting & { profileId: string }>): Promise<void> {
  if (sightings.length === 0) return;
  const folded = new Map<string, IdentitySighting & { profileId: string; first: string; sources: Set<string> }>();
  for (const s of sightings) {
    const key = `${s.type}:${s.hash}`;
    const f = folded.get(key);
    if (!f) folded.set(key, { ...s, first: s.seenAt, sources: new Set([s.sourceId]) });
    else {
      f.sources.add(s.sourceId);
      if (Date.parse(s.seenAt) < Date.parse(f.first)) f.first = s.seenAt;
      if (Date.parse(s.seenAt) >= Date.parse(f.seenAt)) Object.assign(f, { seenAt: s.seenAt, profileId: s.profileId, raw: s.raw });
    }
  }
  const list = [...folded.values()];
  const { rows: known } = await db.query<{ type: string; hash: string }>(
    'SELECT type, hash FROM identities i JOIN unnest($1::text[], $2::text[]) AS k(type, hash) USING (type, hash) WHERE i.raw_sealed IS NOT NULL',
    [list.map((i) => i.type), list.map((i) => i.hash)],
  );
  const knownKeys = new Set(known.map((k) => `${k.type}:${k.hash}`));
  const sealed = await Promise.all(list.map((i) => (knownKeys.has(`${i.type}:${i.hash}`) ? null : vault.sealIdentity(i.raw))));
  await db.query(
    `INSERT INTO identities (type, hash, profile_id, raw_sealed, first_seen, last_seen, sources)
     SELECT type, hash, profile_id, raw_sealed, first_seen, last_seen, sources::text[]
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[])
         AS u(type, hash, profile_id, raw_sealed, first_seen, last_seen, sources)
     ON CONFLICT (type, hash) DO UPDATE SET
       profile_id = EXCLUDED.profile_id,
       raw_sealed = COALESCE(identities.raw_sealed, EXCLUDED.raw_sealed),
       first_seen = LEAST(identities.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(identities.last_seen, EXCLUDED.last_seen),
       sources = ARRAY(SELECT DISTINCT unnest(identities.sources || EXCLUDED.sources) ORDER BY 1)`,
    [
      list.map((i) => i.type),
      list.map((i) => i.hash),
      list.map((i) => i.profileId),
      sealed,
      list.map((i) => i.first),
      list.map((i) => i.seenAt),
      list.map((i) => pgTextArray([...i.sources].sort())),
    ],
  );
}

/** Appends trait observations; personal values are sealed and keyed by HMAC for equality. */
export async function insertObservations(db: Queryable, vault: PiiVault, sightings: Array<TraitSighting & { profileId: string }>): Promise<void> {
  if (sightings.length === 0) return;
  const prepared = await Promise.all(
    sightings.map(async (s) => {
      if (isPiiTrait(s.trait)) return { value: null, sealed: await vault.sealTrait(s.trait, s.value), key: vault.valueKey(s.trait, s.value) };
      const json = JSON.stringify(s.value);
      return { value: json, sealed: null, key: json.length <= 200 ? json : vault.valueKey(s.trait, s.value) };
    }),
  );
  await db.query(
    `INSERT INTO trait_observations (profile_id, trait, value, value_sealed, value_key, source, channel, observed_at, event_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::uuid[])`,
    [
      sightings.map((s) => s.profileId),
      sightings.map((s) => s.trait),
      prepared.map((p) => p.value),
      prepared.map((p) => p.sealed),
      prepared.map((p) => p.key),
      sightings.map((s) => s.source),
      sightings.map((s) => s.channel),
      sightings.map((s) => s.observedAt),
      sightings.map((s) => s.eventId),
    ],
  );
}
