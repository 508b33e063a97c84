import type { IdentityChangeV1, MergeChangeV1, SplitChangeV1 } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import type pg from 'pg';
import { aggregateOf, changedKeys, computedFromAggregate } from '../computed/computed-traits';
import { timelineAggregates } from '../computed/timeline-aggregate';
import { insertOutboxRows } from '@tessera/outbox';
import { profileUpdate, type OutboxEntry } from '../outbox/outbox-writer';
import type { PiiVault } from '../profiles/pii-vault';
import {
  lockOrCreateProfiles,
  lockProfiles,
  lockRoots,
  saveProfiles,
  type ProfileRow,
} from '../profiles/profile-repository';
import { recomputeGolden } from '../traits/golden-record';
import type { SurvivorshipConfig } from '../traits/survivorship-config';
import { mergeConsent } from './consent-merge';

export interface IdentityChangeDeps {
  pool: pg.Pool;
  vault: PiiVault;
  survivorship: SurvivorshipConfig;
  reportingCurrency: string;
}

export type ChangeOutcome = 'applied' | 'duplicate' | 'noop';

/** Applies a merge or split once (by change id), in one transaction. */
export async function applyIdentityChange(
  deps: IdentityChangeDeps,
  change: IdentityChangeV1,
): Promise<ChangeOutcome> {
  return withTransaction(deps.pool, async (client) => {
    const profileId = change.kind === 'merge' ? change.survivorId : change.profileId;
    const others =
      change.kind === 'merge'
        ? [change.absorbedId]
        : change.components.map((c) => c.profileId).filter((id) => id !== profileId);
    const { rowCount } = await client.query(
      `INSERT INTO identity_changes (change_id, kind, profile_id, other_ids, details) VALUES ($1, $2, $3, $4::uuid[], $5)
       ON CONFLICT (change_id) DO NOTHING`,
      [change.changeId, change.kind, profileId, others, JSON.stringify(change)],
    );
    if (rowCount === 0) return 'duplicate';
    return change.kind === 'merge' ? applyMerge(deps, client, change) : applySplit(deps, client, change);
  });
}

/** Rebuilds golden values and timeline traits of profiles whose data moved; bumps versions. */
async function rebuild(
  deps: IdentityChangeDeps,
  client: pg.PoolClient,
  profiles: ProfileRow[],
): Promise<Map<string, string[]>> {
  const traitChanges = await recomputeGolden(client, deps.survivorship, profiles);
  const aggregates = await timelineAggregates(
    client,
    profiles.map((p) => p.id),
    deps.reportingCurrency,
  );
  const changed = new Map<string, string[]>();
  for (const p of profiles) {
    const before = p.computed;
    p.computed = { ...before, ...computedFromAggregate(aggregates.get(p.id) ?? aggregateOf({})) };
    changed.set(p.id, [
      ...(traitChanges.get(p.id) ?? []),
      ...changedKeys(before, p.computed).map((k) => `computed.${k}`),
    ]);
    p.version += 1;
  }
  return changed;
}

async function moveRows(client: pg.PoolClient, from: string, to: string): Promise<void> {
  await client.query('UPDATE events SET profile_id = $2 WHERE profile_id = $1', [from, to]);
  await client.query('UPDATE identities SET profile_id = $2 WHERE profile_id = $1', [from, to]);
  await client.query('UPDATE trait_observations SET profile_id = $2 WHERE profile_id = $1', [from, to]);
}

/**
 * Merge: both sides may not exist yet (merges and events travel on different topics), so rows are
 * created as needed; the absorbed row stays as a pointer so its late events follow the chain.
 */
async function applyMerge(
  deps: IdentityChangeDeps,
  client: pg.PoolClient,
  change: MergeChangeV1,
): Promise<ChangeOutcome> {
  const { roots, profiles: locked } = await lockRoots(client, [change.survivorId, change.absorbedId]);
  const survivorId = roots.get(change.survivorId)!;
  const absorbedId = roots.get(change.absorbedId)!;
  if (survivorId === absorbedId) return 'noop';
  const survivor = locked.get(survivorId)!;
  const absorbed = locked.get(absorbedId)!;

  await moveRows(client, absorbedId, survivorId);
  // What pointed at the absorbed profile now points at the survivor directly, except rows another
  // transaction holds: an ingestion batch may have locked one as a root it read just before an
  // earlier merge committed, and waiting for it here while holding the roots it waits for would
  // deadlock. A skipped row keeps a two-hop chain, which every read follows and ingestion shortens.
  await client.query(
    `UPDATE profiles SET merged_into = $2
      WHERE id IN (SELECT id FROM profiles WHERE merged_into = $1 FOR UPDATE SKIP LOCKED)`,
    [absorbedId, survivorId],
  );

  survivor.mergedFrom = [...new Set([...survivor.mergedFrom, absorbedId, ...absorbed.mergedFrom])];
  survivor.consent = mergeConsent(survivor.consent, absorbed.consent);
  const changed = await rebuild(deps, client, [survivor]);
  Object.assign(absorbed, {
    traits: {},
    piiTraits: {},
    traitWinners: {},
    computed: {},
    mergedInto: survivorId,
    mergedFrom: [],
    version: absorbed.version + 1,
  });
  await saveProfiles(client, [survivor, absorbed]);
  await insertOutboxRows(client, [
    await profileUpdate(deps.vault, absorbed, 'merged', [], { mergedInto: survivorId }),
    await profileUpdate(deps.vault, survivor, 'upsert', changed.get(survivorId) ?? []),
  ]);
  return 'applied';
}

/**
 * Split: identities move by hash to their component's profile; events move when one of their
 * identifiers belongs to a component (first match in component order); observations follow
 * their events. The split profile keeps the first component and everything unmatched.
 */
async function applySplit(
  deps: IdentityChangeDeps,
  client: pg.PoolClient,
  change: SplitChangeV1,
): Promise<ChangeOutcome> {
  const { roots } = await lockRoots(client, [change.profileId]);
  const sourceId = roots.get(change.profileId)!;
  const targets = change.components.filter((c) => c.profileId !== sourceId);
  // Component profiles may be pointers (an earlier merge being undone): lock them as they are.
  await lockOrCreateProfiles(
    client,
    targets.map((t) => t.profileId),
  );
  const locked = await lockProfiles(client, [sourceId, ...targets.map((t) => t.profileId)]);
  const source = locked.get(sourceId)!;

  for (const component of targets) {
    const keys = component.identifiers.map((i) => `${i.type}:${i.hash}`);
    await client.query(
      `UPDATE identities SET profile_id = $2
        WHERE profile_id = $1 AND (type || ':' || hash) = ANY($3::text[])`,
      [sourceId, component.profileId, keys],
    );
    await client.query(
      'UPDATE events SET profile_id = $2 WHERE profile_id = $1 AND identifier_hashes && $3::text[]',
      [sourceId, component.profileId, keys],
    );
    await client.query(
      `UPDATE trait_observations o SET profile_id = $2
        WHERE o.profile_id = $1 AND o.event_id IN (SELECT event_id FROM events WHERE profile_id = $2)`,
      [sourceId, component.profileId],
    );
    const target = locked.get(component.profileId)!;
    if (target.mergedInto !== null) target.mergedInto = null;
    target.consent = { ...source.consent, ...target.consent };
  }
  const splitOff = new Set(targets.map((t) => t.profileId));
  source.mergedFrom = source.mergedFrom.filter((id) => !splitOff.has(id));
  const all = [source, ...targets.map((t) => locked.get(t.profileId)!)];
  const changed = await rebuild(deps, client, all);
  await saveProfiles(client, all);
  const outbox: OutboxEntry[] = [
    await profileUpdate(deps.vault, source, 'split', changed.get(sourceId) ?? [], {
      splitInto: targets.map((t) => t.profileId),
    }),
  ];
  for (const t of targets)
    outbox.push(
      await profileUpdate(deps.vault, locked.get(t.profileId)!, 'upsert', changed.get(t.profileId) ?? []),
    );
  await insertOutboxRows(client, outbox);
  return 'applied';
}
