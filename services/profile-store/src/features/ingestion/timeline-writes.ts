import type { Queryable } from '@tessera/db';
import type { PiiVault } from '../profiles/pii-vault';
import { isPiiTrait } from '../traits/pii-traits';
import type { EventRow, IdentitySighting, TraitSighting } from './event-mapping';

// Named, like every plain insert of the batch path (see CLAIM_EVENT_KEYS in ingest-batch.ts).
const INSERT_EVENTS = {
  name: 'profile_store.insert_events',
  text: `INSERT INTO events (event_id, profile_id, occurred_at, received_at, source_id, message_id, channel, type, name,
                           is_order, revenue, currency, identifier_hashes, payload)
         SELECT e."eventId", e."profileId", e."occurredAt", e."receivedAt", e."sourceId", e."messageId", e.channel, e.type, e.name,
                e."isOrder", e.revenue, e.currency, e."identifierHashes", e.payload
           FROM jsonb_to_recordset($1::jsonb) AS e("eventId" uuid, "profileId" uuid, "occurredAt" timestamptz, "receivedAt" timestamptz,
                "sourceId" text, "messageId" text, channel text, type text, name text, "isOrder" boolean, revenue numeric,
                currency text, "identifierHashes" text[], payload jsonb)
         ON CONFLICT DO NOTHING`,
};

const UPSERT_IDENTITIES = {
  name: 'profile_store.upsert_identities',
  text: `INSERT INTO identities (type, hash, profile_id, raw_sealed, first_seen, last_seen, sources)
         SELECT type, hash, profile_id, raw_sealed, first_seen, last_seen, sources
           FROM jsonb_to_recordset($1::jsonb)
             AS u(type text, hash text, profile_id uuid, raw_sealed text, first_seen timestamptz, last_seen timestamptz, sources text[])
         ON CONFLICT (type, hash) DO UPDATE SET
           profile_id = EXCLUDED.profile_id,
           raw_sealed = COALESCE(identities.raw_sealed, EXCLUDED.raw_sealed),
           first_seen = LEAST(identities.first_seen, EXCLUDED.first_seen),
           last_seen = GREATEST(identities.last_seen, EXCLUDED.last_seen),
           sources = ARRAY(SELECT DISTINCT unnest(identities.sources || EXCLUDED.sources) ORDER BY 1)
         WHERE identities.profile_id IS DISTINCT FROM EXCLUDED.profile_id
            OR (identities.raw_sealed IS NULL AND EXCLUDED.raw_sealed IS NOT NULL)
            OR EXCLUDED.first_seen < identities.first_seen
            OR EXCLUDED.last_seen >= identities.last_seen + $2::interval
            OR NOT identities.sources @> EXCLUDED.sources`,
};

const INSERT_OBSERVATIONS = {
  name: 'profile_store.insert_observations',
  text: `INSERT INTO trait_observations (profile_id, trait, value, value_sealed, value_key, source, channel, observed_at, event_id)
         SELECT profile_id, trait, value, value_sealed, value_key, source, channel, observed_at, event_id
           FROM jsonb_to_recordset($1::jsonb) AS o(profile_id uuid, trait text, value jsonb, value_sealed text, value_key text,
                source text, channel text, observed_at timestamptz, event_id uuid)`,
};

/**
 * Appends timeline rows (one statement; the partition is chosen by occurred_at). Rows travel as
 * one JSON document expanded by jsonb_to_recordset: far cheaper than pg's array literals of JSON.
 */
export async function insertEvents(db: Queryable, rows: EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query({ ...INSERT_EVENTS, values: [JSON.stringify(rows)] });
}

/**
 * How far `identities.last_seen` may lag the latest sighting. Every event sights its identifiers,
 * and rewriting the row only to move last_seen by seconds was a large share of ingestion's writes;
 * a sighting that changes nothing else updates the row only once last_seen is this much behind.
 */
export const LAST_SEEN_GRANULARITY = '1 hour';

interface FoldedIdentity {
  type: string;
  hash: string;
  profileId: string;
  raw: string;
  first: string;
  seenAt: string;
  sources: string[];
}

/**
 * Upserts identities. Raw values are sealed only for identifiers the store has not seen (one
 * lookup query first), so the steady state does no encryption. Within a batch an identifier is
 * folded to one row (Postgres refuses to update a row twice in one statement). A sighting rewrites
 * the row only if it changes the owner, first seen, the sources, or moves last seen by at least
 * LAST_SEEN_GRANULARITY.
 */
export async function upsertIdentities(
  db: Queryable,
  vault: PiiVault,
  sightings: IdentitySighting[],
): Promise<void> {
  if (sightings.length === 0) return;
  // One object per identifier, built once (every event sights one or more identifiers).
  const folded = new Map<string, FoldedIdentity>();
  for (const s of sightings) {
    const key = `${s.type}:${s.hash}`;
    const f = folded.get(key);
    if (!f) {
      folded.set(key, {
        type: s.type,
        hash: s.hash,
        profileId: s.profileId,
        raw: s.raw,
        first: s.seenAt,
        seenAt: s.seenAt,
        sources: [s.sourceId],
      });
      continue;
    }
    if (!f.sources.includes(s.sourceId)) f.sources.push(s.sourceId);
    const at = Date.parse(s.seenAt);
    if (at < Date.parse(f.first)) f.first = s.seenAt;
    if (at >= Date.parse(f.seenAt)) {
      f.seenAt = s.seenAt;
      f.profileId = s.profileId;
      f.raw = s.raw;
    }
  }
  // In one order across batches: two batches of different partitions can sight the same
  // identifiers (a shared device, a landline), and rows upserted in different orders deadlock.
  const list = [...folded.values()].sort((a, b) =>
    a.type === b.type ? (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0) : a.type < b.type ? -1 : 1,
  );
  // Only identifiers without a sealed raw value come back (none, once a customer is known).
  const { rows: unknown } = await db.query<{ type: string; hash: string }>(
    `SELECT k.type, k.hash FROM jsonb_to_recordset($1::jsonb) AS k(type text, hash text)
      WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.type = k.type AND i.hash = k.hash AND i.raw_sealed IS NOT NULL)`,
    [JSON.stringify(list.map(({ type, hash }) => ({ type, hash })))],
  );
  const unknownKeys = new Set(unknown.map((k) => `${k.type}:${k.hash}`));
  const sealed = await Promise.all(
    list.map((i) => (unknownKeys.has(`${i.type}:${i.hash}`) ? vault.sealIdentity(i.raw) : null)),
  );
  await db.query({
    ...UPSERT_IDENTITIES,
    values: [
      JSON.stringify(
        list.map((i, n) => ({
          type: i.type,
          hash: i.hash,
          profile_id: i.profileId,
          raw_sealed: sealed[n],
          first_seen: i.first,
          last_seen: i.seenAt,
          sources: i.sources.sort(),
        })),
      ),
      LAST_SEEN_GRANULARITY,
    ],
  });
}

/**
 * Appends trait observations; personal values are sealed and keyed by HMAC for equality. Returns
 * the values it sealed by their sealed form, so the change feed of this batch need not decrypt
 * what it has just encrypted.
 */
export async function insertObservations(
  db: Queryable,
  vault: PiiVault,
  sightings: TraitSighting[],
): Promise<Map<string, unknown>> {
  const opened = new Map<string, unknown>();
  if (sightings.length === 0) return opened;
  const prepared = await Promise.all(
    sightings.map(async (s) => {
      if (isPiiTrait(s.trait)) {
        const sealed = await vault.sealTrait(s.trait, s.value);
        opened.set(sealed, s.value);
        return { value: null, sealed, key: vault.valueKey(s.trait, s.value) };
      }
      const json = JSON.stringify(s.value);
      return { value: json, sealed: null, key: json.length <= 200 ? json : vault.valueKey(s.trait, s.value) };
    }),
  );
  await db.query({
    ...INSERT_OBSERVATIONS,
    values: [
      JSON.stringify(
        sightings.map((s, n) => ({
          profile_id: s.profileId,
          trait: s.trait,
          value: prepared[n]!.value === null ? null : s.value,
          value_sealed: prepared[n]!.sealed,
          value_key: prepared[n]!.key,
          source: s.source,
          channel: s.channel,
          observed_at: s.observedAt,
          event_id: s.eventId,
        })),
      ),
    ],
  });
  return opened;
}
