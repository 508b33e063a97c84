import { uuidv7, type MergeChangeV1, type SplitChangeV1 } from '@tessera/contracts';
import { useMigratedCore } from '../../test-support/database';
import { order, resolvedEvent, testHasher } from '../../test-support/fixtures';
import { ingestResolvedBatch } from '../ingestion/ingest-batch';
import { findProfile } from '../profiles/profile-repository';
import { readProfile } from '../profiles/profile-read-model';
import { applyIdentityChange } from './identity-change-service';

const suite = useMigratedCore();

const hashed = (type: string, value: string) => ({ type, hash: testHasher(type, value) });
const merge = (survivorId: string, absorbedId: string): MergeChangeV1 => ({
  schemaVersion: 1,
  kind: 'merge',
  changeId: uuidv7(),
  survivorId,
  absorbedId,
  linkingIdentifier: hashed('email', 'shared@example.com'),
  rule: 'email',
  at: new Date().toISOString(),
});
const eventsOf = async (id: string) =>
  Number(
    (await suite.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE profile_id = $1', [id]))
      .rows[0]!.n,
  );

describe('applyIdentityChange', () => {
  it('merge should re-home events, identities and observations and recompute the golden record', async () => {
    const [s, a] = [uuidv7(), uuidv7()];
    await ingestResolvedBatch(suite.core, [
      resolvedEvent({
        profileId: s,
        identifiers: [{ type: 'user_id', value: `u-${s}` }],
        traits: { plan: 'basic' },
        at: '2026-01-01T00:00:00.000Z',
      }),
      order(s, 10, '2026-01-02T00:00:00.000Z'),
      resolvedEvent({
        profileId: a,
        identifiers: [{ type: 'email', value: `${a}@example.com` }],
        traits: { plan: 'pro', email: `${a}@example.com` },
        at: '2026-01-05T00:00:00.000Z',
      }),
      order(a, 30, '2026-01-06T00:00:00.000Z', {
        identifiers: [{ type: 'email', value: `${a}@example.com` }],
      }),
    ]);
    await suite.pool.query(`UPDATE profiles SET consent = '{"email_marketing":"granted"}' WHERE id = $1`, [
      s,
    ]);
    await suite.pool.query(`UPDATE profiles SET consent = '{"email_marketing":"withdrawn"}' WHERE id = $1`, [
      a,
    ]);
    const change = merge(s, a);
    expect(await applyIdentityChange(suite.core, change)).toBe('applied');
    expect(await applyIdentityChange(suite.core, change)).toBe('duplicate');

    const survivor = (await findProfile(suite.pool, s))!;
    expect(await eventsOf(s)).toBe(4);
    expect(await eventsOf(a)).toBe(0);
    expect(survivor.traits.plan).toBe('pro');
    expect(await suite.core.vault.openTrait('email', survivor.piiTraits.email!)).toBe(`${a}@example.com`);
    expect(survivor.computed).toMatchObject({ orderCount: 2, totalRevenue: 40, averageOrderValue: 20 });
    expect(survivor.mergedFrom).toEqual([a]);
    expect(survivor.consent.email_marketing).toBe('withdrawn');
    const viaAbsorbed = (await readProfile(suite.pool, a))!;
    expect(viaAbsorbed.id).toBe(s);
    expect(viaAbsorbed.requestedId).toBe(a);

    // a late event for the absorbed id (other partition) follows the chain
    await ingestResolvedBatch(suite.core, [order(a, 5, '2026-01-07T00:00:00.000Z')]);
    expect(await eventsOf(s)).toBe(5);
    expect((await findProfile(suite.pool, s))!.computed).toMatchObject({ orderCount: 3, totalRevenue: 45 });
    const kinds = (
      await suite.pool.query<{ key: string; kind: string }>(
        `SELECT key, payload->>'kind' AS kind FROM outbox WHERE key = ANY($1::text[]) ORDER BY id`,
        [[s, a]],
      )
    ).rows;
    expect(kinds).toContainEqual({ key: a, kind: 'merged' });
  });

  it('merge should work when it arrives before either profile has an event', async () => {
    const [s, a] = [uuidv7(), uuidv7()];
    expect(await applyIdentityChange(suite.core, merge(s, a))).toBe('applied');
    await ingestResolvedBatch(suite.core, [
      order(a, 8, '2026-02-01T00:00:00.000Z'),
      order(s, 2, '2026-02-02T00:00:00.000Z'),
    ]);
    expect(await eventsOf(s)).toBe(2);
    expect((await findProfile(suite.pool, a))!.mergedInto).toBe(s);
    // a chain of merges collapses: s absorbed into t, then a's late events land on t
    const t = uuidv7();
    await applyIdentityChange(suite.core, merge(t, s));
    await ingestResolvedBatch(suite.core, [order(a, 1, '2026-02-03T00:00:00.000Z')]);
    expect(await eventsOf(t)).toBe(3);
    expect((await findProfile(suite.pool, a))!.mergedInto).toBe(t);
    expect((await findProfile(suite.pool, t))!.mergedFrom.sort()).toEqual([a, s].sort());
    expect(await applyIdentityChange(suite.core, merge(t, a))).toBe('noop');
  });

  it('split should re-home identities by hash and events and observations by component', async () => {
    const p = uuidv7();
    const q = uuidv7();
    const emailP = { type: 'email', value: `p-${p}@example.com` };
    const emailQ = { type: 'email', value: `q-${q}@example.com` };
    await ingestResolvedBatch(suite.core, [
      resolvedEvent({
        profileId: p,
        identifiers: [emailP],
        traits: { plan: 'gold', firstName: 'Pia' },
        at: '2026-03-01T00:00:00.000Z',
      }),
      resolvedEvent({
        profileId: p,
        identifiers: [emailQ],
        traits: { plan: 'free', firstName: 'Quinn' },
        at: '2026-03-02T00:00:00.000Z',
      }),
      order(p, 50, '2026-03-03T00:00:00.000Z', { identifiers: [emailQ] }),
    ]);
    const split: SplitChangeV1 = {
      schemaVersion: 1,
      kind: 'split',
      changeId: uuidv7(),
      profileId: p,
      components: [
        { profileId: p, identifiers: [hashed(emailP.type, emailP.value)] },
        { profileId: q, identifiers: [hashed(emailQ.type, emailQ.value)] },
      ],
      removedIdentifier: hashed('phone', '+491510000000'),
      reason: 'shared phone',
      actor: 'test',
      at: new Date().toISOString(),
    };
    expect(await applyIdentityChange(suite.core, split)).toBe('applied');
    const pp = (await findProfile(suite.pool, p))!;
    const qq = (await findProfile(suite.pool, q))!;
    expect(await eventsOf(p)).toBe(1);
    expect(await eventsOf(q)).toBe(2);
    expect(pp.traits.plan).toBe('gold');
    expect(qq.traits.plan).toBe('free');
    expect(await suite.core.vault.openTrait('firstName', qq.piiTraits.firstName!)).toBe('Quinn');
    expect(pp.computed).toMatchObject({ orderCount: 0 });
    expect(qq.computed).toMatchObject({ orderCount: 1, totalRevenue: 50 });
    const owner = await suite.pool.query<{ profile_id: string }>(
      'SELECT profile_id FROM identities WHERE hash = $1',
      [testHasher(emailQ.type, emailQ.value)],
    );
    expect(owner.rows[0]!.profile_id).toBe(q);
    // a late event for q's identifier resolved to q by identity lands there
    await ingestResolvedBatch(suite.core, [
      order(q, 5, '2026-03-04T00:00:00.000Z', { identifiers: [emailQ] }),
    ]);
    expect((await findProfile(suite.pool, q))!.computed).toMatchObject({ orderCount: 2, totalRevenue: 55 });
    const notice = await suite.pool.query(
      `SELECT payload FROM outbox WHERE key = $1 AND payload->>'kind' = 'split'`,
      [p],
    );
    expect(notice.rows[0].payload.splitInto).toEqual([q]);
  });

  it('split should send events resolved before it but consumed after it to the component they belong to', async () => {
    const p = uuidv7();
    const q = uuidv7();
    const emailP = { type: 'email', value: `p-${p}@example.com` };
    const emailQ = { type: 'email', value: `q-${q}@example.com` };
    await ingestResolvedBatch(suite.core, [
      resolvedEvent({
        profileId: p,
        identifiers: [emailP],
        traits: { plan: 'gold' },
        at: '2026-04-01T00:00:00.000Z',
      }),
      resolvedEvent({
        profileId: p,
        identifiers: [emailQ],
        traits: { plan: 'free' },
        at: '2026-04-02T00:00:00.000Z',
      }),
    ]);
    const splitAt = '2026-04-10T12:00:00.000Z';
    const split: SplitChangeV1 = {
      schemaVersion: 1,
      kind: 'split',
      changeId: uuidv7(),
      profileId: p,
      components: [
        { profileId: p, identifiers: [hashed(emailP.type, emailP.value)] },
        { profileId: q, identifiers: [hashed(emailQ.type, emailQ.value)] },
      ],
      removedIdentifier: hashed('phone', '+491510000001'),
      reason: 'shared phone',
      actor: 'test',
      at: splitAt,
    };
    expect(await applyIdentityChange(suite.core, split)).toBe('applied');

    // Resolved by identity before the split (stamped with p), consumed only now.
    const lateQ = order(p, 40, '2026-04-09T00:00:00.000Z', { identifiers: [emailQ] });
    const lateQTraits = resolvedEvent({
      profileId: p,
      identifiers: [emailQ],
      traits: { plan: 'platinum' },
      at: '2026-04-09T01:00:00.000Z',
    });
    const lateP = order(p, 7, '2026-04-09T02:00:00.000Z', { identifiers: [emailP] });
    // Resolved after the split: identity already knew the new graph, so p is where it belongs.
    const afterSplit = {
      ...order(p, 3, '2026-04-11T00:00:00.000Z', { identifiers: [emailP] }),
      resolvedAt: '2026-04-11T00:00:00.000Z',
    };
    await ingestResolvedBatch(suite.core, [lateQ, lateQTraits, lateP, afterSplit]);

    const pp = (await findProfile(suite.pool, p))!;
    const qq = (await findProfile(suite.pool, q))!;
    expect(qq.computed).toMatchObject({ orderCount: 1, totalRevenue: 40 });
    expect(qq.traits.plan).toBe('platinum');
    expect(pp.computed).toMatchObject({ orderCount: 2, totalRevenue: 10 });
    expect(pp.traits.plan).toBe('gold');
    const owner = await suite.pool.query<{ profile_id: string }>(
      'SELECT profile_id FROM identities WHERE hash = $1',
      [testHasher(emailQ.type, emailQ.value)],
    );
    expect(owner.rows[0]!.profile_id).toBe(q);
    const placed = await suite.pool.query<{ event_id: string; profile_id: string }>(
      'SELECT event_id, profile_id FROM events WHERE event_id = ANY($1::uuid[])',
      [[lateQ, lateQTraits, lateP, afterSplit].map((e) => e.event.eventId)],
    );
    expect(Object.fromEntries(placed.rows.map((r) => [r.event_id, r.profile_id]))).toEqual({
      [lateQ.event.eventId]: q,
      [lateQTraits.event.eventId]: q,
      [lateP.event.eventId]: p,
      [afterSplit.event.eventId]: p,
    });
    const feed = await suite.pool.query<{ payload: { version: number; traits: { plan?: string } } }>(
      `SELECT payload FROM outbox WHERE key = $1 AND payload->>'kind' = 'upsert' ORDER BY id DESC LIMIT 1`,
      [q],
    );
    expect(feed.rows[0]!.payload).toMatchObject({ version: qq.version, traits: { plan: 'platinum' } });
  });
});
