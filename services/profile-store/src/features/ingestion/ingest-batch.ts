import type { ResolvedEventV1 } from '@tessera/contracts';
import type pg from 'pg';
import { withTransaction } from '@tessera/db';
import {
  aggregateOf,
  changedKeys,
  computedFromAggregate,
  foldEvents,
  type EventFact,
} from '../computed/computed-traits';
import { createOpenedValues, type OpenedValues } from '../outbox/opened-values';
import { insertOutboxRows } from '@tessera/outbox';
import { profileUpdate, type OutboxEntry } from '../outbox/outbox-writer';
import type { PiiVault } from '../profiles/pii-vault';
import { lockRoots, type ProfileRow } from '../profiles/profile-repository';
import { recomputeGolden } from '../traits/golden-record';
import type { SurvivorshipConfig } from '../traits/survivorship-config';
import { mapResolvedEvent, type EventRow, type IdentitySighting, type TraitSighting } from './event-mapping';
import { saveIngestedProfiles } from './profile-writes';
import { splitsOf, splitTarget } from './split-routing';
import { insertEvents, insertObservations, upsertIdentities } from './timeline-writes';

/**
 * Stores the batch's idempotency keys; answers the ones already stored.
 *
 * The batch path's plain inserts are named statements: Postgres parses and plans them once per
 * connection instead of once per batch (5–15 % less time per statement at batches of 50, the
 * size a lightly loaded consumer sees). Statements that join or look up existing rows stay
 * unnamed: a named statement switches to a cached generic plan after five runs, and one planned
 * while a table was small (a seq scan or hash join) is kept until the table's statistics change,
 * which without autovacuum never happens; measured at batches of 50, the profiles UPDATE and the
 * unsealed-identities lookup took twice as long named.
 */
const CLAIM_EVENT_KEYS = {
  name: 'profile_store.claim_event_keys',
  text: `WITH batch AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS k(s text, m text, e uuid, t timestamptz)),
              fresh AS (INSERT INTO event_keys (source_id, message_id, event_id, occurred_at)
                          SELECT s, m, e, t FROM batch ON CONFLICT DO NOTHING RETURNING source_id, message_id)
         SELECT s AS source_id, m AS message_id FROM batch
         EXCEPT SELECT source_id, message_id FROM fresh`,
};

export interface IngestDeps {
  pool: pg.Pool;
  vault: PiiVault;
  survivorship: SurvivorshipConfig;
  reportingCurrency: string;
  /** Personal values opened for earlier feed messages; without it only this batch's own are reused. */
  openedValues?: OpenedValues;
}

export interface IngestResult {
  received: number;
  inserted: number;
  duplicates: number;
  profilesChanged: number;
}

/**
 * Applies one consumed batch of resolved events in one transaction: deduplicates on
 * (source_id, message_id), follows merge chains, appends the timeline, identities and trait
 * observations, recomputes the touched golden values and computed traits, and writes one outbox
 * message per changed profile. A fixed number of statements per batch, whatever its size.
 */
export async function ingestResolvedBatch(deps: IngestDeps, batch: ResolvedEventV1[]): Promise<IngestResult> {
  if (batch.length === 0) return { received: 0, inserted: 0, duplicates: 0, profilesChanged: 0 };
  return withTransaction(deps.pool, async (client) => {
    const keys = batch.map(({ event }) => ({
      s: event.sourceId,
      m: event.messageId,
      e: event.eventId,
      t: event.timestamp,
    }));
    // Only keys that were already stored come back (none, unless a batch is replayed): returning
    // every fresh key cost a parsed row per event. Repeats inside the batch are dropped below.
    const { rows: stored } = await client.query<{ source_id: string; message_id: string }>({
      ...CLAIM_EVENT_KEYS,
      values: [JSON.stringify(keys)],
    });
    const storedKeys = new Set(stored.map((r) => `${r.source_id}\u0000${r.message_id}`));
    const seen = new Set<string>();
    const accepted = batch.filter((m) => {
      const key = `${m.event.sourceId}\u0000${m.event.messageId}`;
      if (storedKeys.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const result = {
      received: batch.length,
      inserted: accepted.length,
      duplicates: batch.length - accepted.length,
      profilesChanged: 0,
    };
    if (accepted.length === 0) return result;

    const { placement, profiles } = await placeEvents(client, accepted);

    const rows: EventRow[] = [];
    const identities: IdentitySighting[] = [];
    const traits: TraitSighting[] = [];
    const facts = new Map<string, EventFact[]>();
    accepted.forEach((message, n) => {
      const profileId = placement[n]!;
      const mapped = mapResolvedEvent(message, profileId);
      rows.push(mapped.row);
      for (const i of mapped.identities) identities.push(i);
      for (const t of mapped.traits) traits.push(t);
      const list = facts.get(profileId);
      if (list) list.push(mapped.fact);
      else facts.set(profileId, [mapped.fact]);
    });
    await insertEvents(client, rows);
    await upsertIdentities(client, deps.vault, identities);
    const sealedNow = await insertObservations(client, deps.vault, traits);

    const touchedTraits = new Map<string, Set<string>>();
    for (const t of traits) {
      const set = touchedTraits.get(t.profileId) ?? new Set<string>();
      set.add(t.trait);
      touchedTraits.set(t.profileId, set);
    }
    const list = [...new Set(placement)].map((id) => profiles.get(id)!);
    const traitChanges = await recomputeGolden(client, deps.survivorship, list, touchedTraits);

    // What this batch sealed goes into its feed messages as it was, never decrypted again.
    const opened =
      deps.openedValues ?? createOpenedValues({ maxEntries: Number.MAX_SAFE_INTEGER, ttlMs: 60_000 });
    for (const [sealed, value] of sealedNow) opened.set(sealed, value);
    const outbox: OutboxEntry[] = [];
    const computedChanged = new Map<string, string[]>();
    for (const profile of list) {
      const before = profile.computed;
      const timeline = computedFromAggregate(
        foldEvents(aggregateOf(before), facts.get(profile.id) ?? [], deps.reportingCurrency),
      );
      profile.computed = { ...before, ...timeline };
      const computedKeys = changedKeys(before, profile.computed);
      computedChanged.set(profile.id, computedKeys);
      const changed = [...(traitChanges.get(profile.id) ?? []), ...computedKeys.map((k) => `computed.${k}`)];
      profile.version += 1;
      outbox.push(await profileUpdate(deps.vault, profile, 'upsert', changed, {}, opened));
    }
    await saveIngestedProfiles(client, list, new Set(traitChanges.keys()), computedChanged);
    await insertOutboxRows(client, outbox);
    result.profilesChanged = list.length;
    return result;
  });
}

/**
 * Locks the profiles a batch lands on and says which one each event goes to: its id's surviving
 * profile (merge chains followed), unless the event was resolved before a split of that profile
 * and belongs to a component the split moved away (see `splitTarget`). The common case costs one
 * extra indexed query; targets of split-routed events are locked after the others, so in that
 * rare case a deadlock with a concurrent batch is possible and surfaces as a retryable error.
 */
async function placeEvents(
  client: pg.PoolClient,
  accepted: ResolvedEventV1[],
): Promise<{ placement: string[]; profiles: Map<string, ProfileRow> }> {
  const { roots, profiles } = await lockRoots(client, [...new Set(accepted.map((m) => m.profileId))]);
  let position = accepted.map((m) => ({ id: m.profileId, after: Number.NEGATIVE_INFINITY }));
  const rootOf = (id: string) => roots.get(id) ?? id;
  for (let hop = 0; hop < 8; hop++) {
    const splits = await splitsOf(client, [...new Set([...roots.keys(), ...roots.values()])]);
    if (splits.length === 0) break;
    let moved = false;
    position = position.map((p, n) => {
      const target = splitTarget(accepted[n]!, rootOf(p.id), p.after, splits, rootOf);
      if (!target) return p;
      moved = true;
      return { id: target.profileId, after: target.at };
    });
    if (!moved) break;
    const more = await lockRoots(client, [
      ...new Set(position.map((p) => p.id).filter((id) => !roots.has(id))),
    ]);
    for (const [id, root] of more.roots) roots.set(id, root);
    for (const [id, profile] of more.profiles) profiles.set(id, profile);
  }
  return { placement: position.map((p) => rootOf(p.id)), profiles };
}
