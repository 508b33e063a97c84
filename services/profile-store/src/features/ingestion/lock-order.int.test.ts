import { uuidv7, type MergeChangeV1, type ResolvedEventV1 } from '@tessera/contracts';
import { waitFor } from '@tessera/testkit';
import type pg from 'pg';
import { useMigratedCore } from '../../test-support/database';
import { resolvedEvent, testHasher } from '../../test-support/fixtures';
import { applyIdentityChange } from '../merges/identity-change-service';
import { readProfile } from '../profiles/profile-read-model';
import { ingestResolvedBatch } from './ingest-batch';

/*
 * Batches of different partitions can share rows: profiles (through merges) and identifiers (a
 * shared device or landline sighted on two profiles). Postgres detects a deadlock only after
 * deadlock_timeout (1 s), so every cycle was a one-second stall of both batches plus a retry.
 * These tests hold one shared row with a third transaction until both batches wait for it; then
 * they release it. Batches that take their locks in different orders deadlock at that point.
 */

const suite = useMigratedCore();

/** Backends of this database waiting for a lock (heavyweight: rows, transactions). */
async function lockWaiters(): Promise<number> {
  const { rows } = await suite.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return Number(rows[0]!.n);
}

/**
 * Runs two batches while `gate` holds a row: the first, and once it waits for a lock the second;
 * once both wait, the gate commits. Answers each batch's outcome ('ok' or its error message).
 */
async function raceThroughGate(
  gate: (client: pg.PoolClient) => Promise<void>,
  first: ResolvedEventV1[],
  second: ResolvedEventV1[],
) {
  const outcome = (run: Promise<unknown>) =>
    run.then(
      () => 'ok',
      (err: unknown) => String(err instanceof Error ? err.message : err),
    );
  const holder = await suite.pool.connect();
  try {
    await holder.query('BEGIN');
    await gate(holder);
    const runs = [outcome(ingestResolvedBatch(suite.core, first))];
    await waitFor(async () => (await lockWaiters()) >= 1, { timeoutMs: 10_000 });
    runs.push(outcome(ingestResolvedBatch(suite.core, second)));
    await waitFor(async () => (await lockWaiters()) >= 2, { timeoutMs: 10_000 });
    await holder.query('COMMIT');
    return await Promise.all(runs);
  } finally {
    holder.release();
  }
}

/** Whether `work` is still running after `ms` (it waits for a lock) or finished before. */
async function stillRunningAfter(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const running = await Promise.race([
    work.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms))),
  ]);
  clearTimeout(timer);
  return running;
}

const sighting = (profileId: string, values: string[]) =>
  resolvedEvent({ profileId, identifiers: values.map((value) => ({ type: 'device_id', value })) });

describe('concurrent ingestion batches', () => {
  it('should upsert shared identifiers in one order, so two batches never deadlock on them', async () => {
    const shared = Array.from({ length: 9 }, (_, n) => `shared-device-${n}-${uuidv7()}`);
    // Every identifier exists first, so each batch's upsert locks each row it passes.
    await ingestResolvedBatch(suite.core, [sighting(uuidv7(), shared)]);
    const [ana, ben] = [uuidv7(), uuidv7()];
    const middle = shared[4]!;
    const outcomes = await raceThroughGate(
      async (holder) => {
        await holder.query(`SELECT 1 FROM identities WHERE type = 'device_id' AND hash = $1 FOR UPDATE`, [
          testHasher('device_id', middle),
        ]);
      },
      [sighting(ana, shared)],
      [sighting(ben, [...shared].reverse())],
    );
    expect(outcomes).toEqual(['ok', 'ok']);
    const { rows } = await suite.pool.query<{ profile_id: string }>(
      `SELECT DISTINCT profile_id FROM identities WHERE type = 'device_id' AND hash = ANY($1::text[])`,
      [shared.map((v) => testHasher('device_id', v))],
    );
    // Each identifier belongs to one profile at a time: the batch that committed last.
    expect(rows).toHaveLength(1);
    expect([ana, ben]).toContain(rows[0]!.profile_id);
  });

  it('should create and lock the profiles of a batch in id order, so two batches never deadlock on them', async () => {
    const [first, gated, last] = [uuidv7(), uuidv7(), uuidv7()];
    const outcomes = await raceThroughGate(
      async (holder) => {
        // A profile created by a transaction still open: both batches wait for its outcome.
        await holder.query('INSERT INTO profiles (id) VALUES ($1)', [gated]);
      },
      [first, gated, last].map((id) => sighting(id, [`own-${id}`])),
      [last, gated, first].map((id) => sighting(id, [`other-${id}`])),
    );
    expect(outcomes).toEqual(['ok', 'ok']);
    const { rows } = await suite.pool.query<{ id: string; n: string }>(
      `SELECT profile_id AS id, count(*) AS n FROM events WHERE profile_id = ANY($1::uuid[]) GROUP BY 1`,
      [[first, gated, last]],
    );
    expect(rows.map((r) => [r.id, Number(r.n)]).sort()).toEqual(
      [first, gated, last].map((id) => [id, 2]).sort(),
    );
  });

  it('should shorten merge chains without waiting for pointer rows another transaction holds', async () => {
    const [a, b, c] = [uuidv7(), uuidv7(), uuidv7()];
    await suite.pool.query('INSERT INTO profiles (id, merged_into) VALUES ($1, $2), ($2, $3), ($3, NULL)', [
      a,
      b,
      c,
    ]);
    const mergedInto = async (id: string) =>
      (await suite.pool.query<{ m: string }>('SELECT merged_into AS m FROM profiles WHERE id = $1', [id]))
        .rows[0]!.m;
    const holder = await suite.pool.connect();
    try {
      // As a merge re-pointing the rows that pointed at its absorbed profile would.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM profiles WHERE id = $1 FOR UPDATE', [a]);
      const ingest = ingestResolvedBatch(suite.core, [sighting(a, [`chain-${a}`])]);
      expect(await stillRunningAfter(ingest, 5_000)).toBe(false);
      expect(await mergedInto(a)).toBe(b); // skipped, not waited for
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    const { rows } = await suite.pool.query('SELECT 1 FROM events WHERE profile_id = $1', [c]);
    expect(rows).toHaveLength(1);
    await ingestResolvedBatch(suite.core, [sighting(a, [`chain-${a}`])]);
    expect(await mergedInto(a)).toBe(c);
  });

  it('should let a merge skip re-pointing a row another transaction holds instead of waiting for it', async () => {
    const [survivor, absorbed, pointer] = [uuidv7(), uuidv7(), uuidv7()];
    await ingestResolvedBatch(
      suite.core,
      [survivor, absorbed].map((id) => sighting(id, [`merge-${id}`])),
    );
    await suite.pool.query('INSERT INTO profiles (id, merged_into) VALUES ($1, $2)', [pointer, absorbed]);
    const change: MergeChangeV1 = {
      schemaVersion: 1,
      kind: 'merge',
      changeId: uuidv7(),
      survivorId: survivor,
      absorbedId: absorbed,
      linkingIdentifier: { type: 'email', hash: testHasher('email', `merge-${survivor}@example.com`) },
      rule: 'email',
      at: new Date().toISOString(),
    };
    const holder = await suite.pool.connect();
    try {
      // As an ingestion batch that locked `pointer` as a root it read before an earlier merge.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM profiles WHERE id = $1 FOR UPDATE', [pointer]);
      expect(await stillRunningAfter(applyIdentityChange(suite.core, change), 5_000)).toBe(false);
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    const { rows } = await suite.pool.query<{ m: string }>(
      'SELECT merged_into AS m FROM profiles WHERE id = $1',
      [pointer],
    );
    expect(rows[0]!.m).toBe(absorbed); // skipped: two hops to the survivor
    expect((await readProfile(suite.pool, pointer))!.id).toBe(survivor);
  });

  it('should let go of its locks and lock again in id order when a merge committed after it read the chains', async () => {
    // survivor < other < absorbed (uuidv7 is random within a millisecond, so sort)
    const [survivor, other, absorbed] = [uuidv7(), uuidv7(), uuidv7()].sort() as [string, string, string];
    await ingestResolvedBatch(
      suite.core,
      [survivor, other, absorbed].map((id) => sighting(id, [`own-${id}`])),
    );
    const eventsOf = async (id: string) =>
      Number(
        (
          await suite.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE profile_id = $1', [
            id,
          ])
        ).rows[0]!.n,
      );
    const outcomes = await raceThroughGate(
      // A merge of `absorbed` into `survivor`, committed while the first batch waits for `absorbed`
      // with `other` locked; by then the second batch holds `survivor` and waits for `other`.
      async (holder) => {
        await holder.query('UPDATE profiles SET merged_into = $2 WHERE id = $1', [absorbed, survivor]);
      },
      [other, absorbed].map((id) => sighting(id, [`again-${id}`])),
      [survivor, other].map((id) => sighting(id, [`too-${id}`])),
    );
    expect(outcomes).toEqual(['ok', 'ok']);
    expect([await eventsOf(survivor), await eventsOf(other), await eventsOf(absorbed)]).toEqual([3, 3, 1]);
  });
});
