import { uuidv7 } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import { waitFor } from '@tessera/testkit';
import { useMigratedCore } from '../../test-support/database';
import { order, resolvedEvent } from '../../test-support/fixtures';
import { findProfile, lockProfiles } from '../profiles/profile-repository';
import { ingestResolvedBatch } from './ingest-batch';

const suite = useMigratedCore();

const count = async (sql: string, params: unknown[]) =>
  Number((await suite.pool.query<{ n: string }>(sql, params)).rows[0]!.n);

describe('ingestResolvedBatch', () => {
  it('should store events, identities, observations and golden traits, with personal values sealed', async () => {
    const id = uuidv7();
    const result = await ingestResolvedBatch(suite.core, [
      resolvedEvent({
        profileId: id,
        identifiers: [{ type: 'email', value: 'ana@example.com' }],
        traits: { email: 'ana@example.com', plan: 'pro', firstName: 'Ana' },
      }),
      order(id, 25.5, '2026-01-10T10:00:00.000Z'),
    ]);
    expect(result).toMatchObject({ received: 2, inserted: 2, duplicates: 0, profilesChanged: 1 });
    const p = (await findProfile(suite.pool, id))!;
    expect(p.traits).toEqual({ plan: 'pro' });
    expect(Object.keys(p.piiTraits).sort()).toEqual(['email', 'firstName']);
    expect(await suite.core.vault.openTrait('email', p.piiTraits.email!)).toBe('ana@example.com');
    expect(p.computed).toMatchObject({
      orderCount: 1,
      totalRevenue: 25.5,
      averageOrderValue: 25.5,
      eventCount: 2,
    });
    expect(p.traitWinners.plan?.rule).toBe('most_recent');
    const raw = await suite.pool.query(
      `SELECT raw_sealed FROM identities WHERE profile_id = $1 AND type = 'email'`,
      [id],
    );
    expect(raw.rows[0].raw_sealed).toMatch(/^e1\./);
    const dump = JSON.stringify(
      (await suite.pool.query('SELECT * FROM trait_observations WHERE profile_id = $1', [id])).rows,
    );
    expect(dump).not.toContain('ana@example.com');
    expect(
      JSON.stringify((await suite.pool.query('SELECT payload FROM events WHERE profile_id = $1', [id])).rows),
    ).not.toContain('203.0.113.9');
    expect(await count('SELECT count(*) AS n FROM outbox WHERE key = $1', [id])).toBe(1);
  });

  it('should put personal golden values in clear into every feed message, opened once or decrypted', async () => {
    const id = uuidv7();
    const email = { type: 'email', value: `feed-${id}@example.com` };
    await ingestResolvedBatch(suite.core, [
      resolvedEvent({ profileId: id, identifiers: [email], traits: { email: email.value, firstName: 'Fe' } }),
    ]);
    await ingestResolvedBatch(suite.core, [
      order(id, 3, '2026-01-11T00:00:00.000Z', { identifiers: [email] }),
    ]);
    // Without the cache of opened values, the sealed golden values are decrypted.
    await ingestResolvedBatch({ ...suite.core, openedValues: undefined }, [
      order(id, 4, '2026-01-12T00:00:00.000Z', { identifiers: [email] }),
    ]);
    const { rows } = await suite.pool.query<{
      payload: { version: number; traits: Record<string, unknown> };
    }>('SELECT payload FROM outbox WHERE key = $1 ORDER BY id', [id]);
    expect(rows.map((r) => [r.payload.version, r.payload.traits])).toEqual(
      [1, 2, 3].map((v) => [v, { email: email.value, firstName: 'Fe' }]),
    );
  });

  it('should store exactly the computed traits its feed message carries, keeping job-owned ones', async () => {
    const id = uuidv7();
    await ingestResolvedBatch(suite.core, [order(id, 10, '2026-01-10T10:00:00.000Z')]);
    // What the RFM/CLV jobs write; ingestion saves only the keys it changed and must keep these.
    await suite.pool.query(
      `UPDATE profiles SET computed = computed || '{"rfmSegment": "champions", "predictedClv": 12.5}' WHERE id = $1`,
      [id],
    );
    await ingestResolvedBatch(suite.core, [order(id, 5, '2026-01-11T10:00:00.000Z')]);
    const stored = (await findProfile(suite.pool, id))!.computed;
    expect(stored).toMatchObject({
      orderCount: 2,
      totalRevenue: 15,
      rfmSegment: 'champions',
      predictedClv: 12.5,
    });
    const { rows } = await suite.pool.query<{ payload: { computed: unknown; changed: string[] } }>(
      'SELECT payload FROM outbox WHERE key = $1 ORDER BY id DESC LIMIT 1',
      [id],
    );
    expect(rows[0]!.payload.computed).toEqual(stored);
    expect(rows[0]!.payload.changed).toEqual(
      expect.arrayContaining(['computed.orderCount', 'computed.totalRevenue', 'computed.lastOrderAt']),
    );
    expect(rows[0]!.payload.changed).not.toContain('computed.firstOrderAt');
  });

  it('should drop replayed and in-batch duplicate events without side effects', async () => {
    const id = uuidv7();
    const events = [order(id, 10, '2026-02-01T00:00:00.000Z'), order(id, 20, '2026-02-02T00:00:00.000Z')];
    await ingestResolvedBatch(suite.core, events);
    const replay = await ingestResolvedBatch(suite.core, [...events, events[0]!]);
    expect(replay).toMatchObject({ inserted: 0, duplicates: 3 });
    expect(await count('SELECT count(*) AS n FROM events WHERE profile_id = $1', [id])).toBe(2);
    const p = (await findProfile(suite.pool, id))!;
    expect(p.computed).toMatchObject({ orderCount: 2, totalRevenue: 30 });
    expect(p.version).toBe(1);
    const dupInBatch = uuidv7();
    const e = order(dupInBatch, 5, '2026-02-03T00:00:00.000Z');
    expect(
      await ingestResolvedBatch(suite.core, [e, { ...e, event: { ...e.event, eventId: uuidv7() } }]),
    ).toMatchObject({ inserted: 1, duplicates: 1 });
  });

  it('should apply each survivorship rule through the store', async () => {
    const id = uuidv7();
    const t = (d: number) => `2026-03-${String(d).padStart(2, '0')}T00:00:00.000Z`;
    await ingestResolvedBatch(suite.core, [
      resolvedEvent({
        profileId: id,
        at: t(1),
        sourceId: 'salesforce',
        channel: 'crm',
        traits: {
          lastName: 'Crm',
          preferredLanguage: 'de',
          loyaltyPoints: 50,
          plan: 'basic',
          createdAt: '2020-01-01',
          logins: 1,
        },
      }),
      resolvedEvent({
        profileId: id,
        at: t(5),
        sourceId: 'till',
        channel: 'pos',
        traits: {
          lastName: 'Pos',
          preferredLanguage: 'en',
          loyaltyPoints: 20,
          plan: 'pro',
          createdAt: '2024-01-01',
          logins: 1,
        },
      }),
    ]);
    await ingestResolvedBatch(suite.core, [
      resolvedEvent({ profileId: id, at: t(3), traits: { preferredLanguage: 'de', plan: '', logins: 1 } }),
    ]);
    const p = (await findProfile(suite.pool, id))!;
    expect(await suite.core.vault.openTrait('lastName', p.piiTraits.lastName!)).toBe('Crm');
    expect(p.traitWinners.lastName).toMatchObject({ source: 'salesforce', rule: 'source_priority' });
    expect(p.traits).toMatchObject({
      preferredLanguage: 'de',
      loyaltyPoints: 50,
      plan: 'pro',
      createdAt: '2020-01-01',
      logins: 3,
    });
  });

  it('should rewrite an identity only when a sighting changes it or moves last seen by the granularity', async () => {
    const id = uuidv7();
    const email = { type: 'email', value: `seen-${id}@example.com` };
    const seen = (at: string, sourceId = 'web-source') =>
      resolvedEvent({ profileId: id, identifiers: [email], at, sourceId, type: 'page' });
    const row = async () =>
      (
        await suite.pool.query<{ xmin: string; first_seen: Date; last_seen: Date; sources: string[] }>(
          'SELECT xmin, first_seen, last_seen, sources FROM identities WHERE profile_id = $1',
          [id],
        )
      ).rows[0]!;
    await ingestResolvedBatch(suite.core, [seen('2026-05-01T10:00:00.000Z')]);
    const first = await row();
    await ingestResolvedBatch(suite.core, [seen('2026-05-01T10:40:00.000Z')]);
    const within = await row();
    expect(within.xmin).toBe(first.xmin);
    expect(within.last_seen.toISOString()).toBe('2026-05-01T10:00:00.000Z');
    await ingestResolvedBatch(suite.core, [seen('2026-05-01T10:50:00.000Z', 'shop')]);
    const newSource = await row();
    expect(newSource.sources).toEqual(['shop', 'web-source']);
    expect(newSource.last_seen.toISOString()).toBe('2026-05-01T10:50:00.000Z');
    await ingestResolvedBatch(suite.core, [seen('2026-05-01T12:00:00.000Z')]);
    expect((await row()).last_seen.toISOString()).toBe('2026-05-01T12:00:00.000Z');
    await ingestResolvedBatch(suite.core, [seen('2026-04-30T09:00:00.000Z')]);
    const earlier = await row();
    expect(earlier.first_seen.toISOString()).toBe('2026-04-30T09:00:00.000Z');
    expect(earlier.last_seen.toISOString()).toBe('2026-05-01T12:00:00.000Z');
  });

  it('should follow merge chains for events of absorbed profiles', async () => {
    const [a, b, c] = [uuidv7(), uuidv7(), uuidv7()];
    await suite.pool.query('INSERT INTO profiles (id, merged_into) VALUES ($1, $2), ($2, $3), ($3, NULL)', [
      a,
      b,
      c,
    ]);
    await ingestResolvedBatch(suite.core, [order(a, 7, '2026-04-01T00:00:00.000Z')]);
    expect(await count('SELECT count(*) AS n FROM events WHERE profile_id = $1', [c])).toBe(1);
    expect((await findProfile(suite.pool, a))!.mergedInto).toBe(c);
    expect((await findProfile(suite.pool, c))!.computed).toMatchObject({ orderCount: 1 });
  });

  it('should land events on the survivor when a merge commits while the batch waits for the lock', async () => {
    const [s, a] = [uuidv7(), uuidv7()];
    await suite.pool.query('INSERT INTO profiles (id) VALUES ($1), ($2)', [s, a]);
    const merger = await suite.pool.connect();
    try {
      await merger.query('BEGIN');
      await merger.query('SELECT 1 FROM profiles WHERE id = $1 FOR UPDATE', [a]);
      const ingest = ingestResolvedBatch(suite.core, [order(a, 4, '2026-04-02T00:00:00.000Z')]);
      await waitFor(async () => {
        const { rowCount } = await suite.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return (rowCount ?? 0) > 0;
      });
      await merger.query('UPDATE profiles SET merged_into = $2 WHERE id = $1', [a, s]);
      await merger.query('COMMIT');
      await ingest;
    } finally {
      merger.release();
    }
    expect(await count('SELECT count(*) AS n FROM events WHERE profile_id = $1', [s])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM events WHERE profile_id = $1', [a])).toBe(0);
  });

  it('should create partitions ahead and keep history in the default partition', async () => {
    const { rows } = await suite.pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'events' ORDER BY 1`,
    );
    expect(rows.map((r) => r.relname)).toContain('events_default');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const id = uuidv7();
    await ingestResolvedBatch(suite.core, [order(id, 1, '1997-01-01T00:00:00.000Z')]);
    expect(await count('SELECT count(*) AS n FROM events_default WHERE profile_id = $1', [id])).toBe(1);
  });
});

describe('lockProfiles', () => {
  it('returns rows equal to a plain read, through spreads and JSON, with provenance loaded on first use', async () => {
    const id = uuidv7();
    await ingestResolvedBatch(suite.core, [
      resolvedEvent({ profileId: id, traits: { plan: 'pro', tier: 'gold' } }),
    ]);
    const plain = (await findProfile(suite.pool, id))!;
    const locked = await withTransaction(suite.pool, async (client) =>
      (await lockProfiles(client, [id])).get(id)!,
    );

    expect({ ...locked }).toEqual(plain);
    expect(JSON.parse(JSON.stringify(locked))).toEqual(JSON.parse(JSON.stringify(plain)));
    expect(locked.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(locked.traitWinners.plan?.rule).toBe('most_recent');

    // Survivorship mutates the loaded object and may replace it; both stick.
    delete locked.traitWinners.tier;
    expect(Object.keys(locked.traitWinners)).toEqual(['plan']);
    locked.traitWinners = {};
    expect(locked.traitWinners).toEqual({});
    expect({ ...locked }.traitWinners).toEqual({});
  });
});
