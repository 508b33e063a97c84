import { useIdentityHarness } from '../../test-support/identity-harness';
import { testEvent, testHasher, uniqueTag } from '../../test-support/fixtures';

// Real infrastructure on a shared 2-core machine: generous, but bounded.
jest.setTimeout(60_000);

const h = useIdentityHarness();

/** `tessera identity rebuild`: the Redis graph reloaded from the durable copy in Postgres. */
describe('identity graph rebuild (real Redis and Postgres)', () => {
  it('should rebuild identical lookups from Postgres after the Redis graph is flushed', async () => {
    const u = uniqueTag();
    const ids: Array<[string, string]> = [
      ['user_id', `r-${u}`],
      ['email', `r-${u}@mail.org`],
      ['anonymous_id', `r1-${u}`],
      ['anonymous_id', `r2-${u}`],
      ['phone', `+3361${Math.floor(1_000_000 + Math.random() * 8_999_999)}`],
    ];
    await h().resolve(testEvent([ids[2]!]), testEvent([ids[3]!]), testEvent([ids[4]!, ids[1]!]));
    await h().resolve(
      testEvent([ids[0]!, ids[2]!]),
      testEvent([ids[0]!, ids[3]!]),
      testEvent([ids[1]!, ids[0]!]),
    );
    const { rows } = await h().pool.query<{ identifier_hash: string }>('SELECT identifier_hash FROM links');
    const hashes = rows.map((r) => r.identifier_hash);
    const before = await h().core.graph.lookup(hashes);
    expect(new Set(await h().core.graph.lookup(ids.map(([t, v]) => testHasher(t, v)))).size).toBe(1);
    await h().core.graph.flush();
    expect((await h().core.graph.lookup(hashes)).every((p) => p === undefined)).toBe(true);
    await h().core.rebuild();
    expect(await h().core.graph.lookup(hashes)).toEqual(before);
    // The rebuilt graph keeps resolving: a known identifier lands on its profile, not a new one.
    const next = await h().resolve(testEvent([ids[3]!]));
    expect(next.resolved[0]!.profileId).toBe(before[hashes.indexOf(testHasher(...ids[0]!))]);
  });

  it('should keep how close a shared value is to quarantine across a rebuild', async () => {
    const u = uniqueTag();
    const phone = `+1415${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    // Three people on one phone: at the default threshold (3 distinct) it still links.
    for (const i of [1, 2, 3])
      await h().resolve(
        testEvent([
          ['email', `f${i}-${u}@mail.org`],
          ['phone', phone],
        ]),
      );
    expect(await h().profileOf('email', `f3-${u}@mail.org`)).toBe(
      await h().profileOf('email', `f1-${u}@mail.org`),
    );
    await h().core.graph.flush();
    const rebuilt = await h().core.rebuild();
    expect(rebuilt.fanIn).toBeGreaterThan(0);
    // A fourth person after the rebuild crosses the threshold: the three before it still count.
    const fourth = await h().resolve(
      testEvent([
        ['email', `f4-${u}@mail.org`],
        ['phone', phone],
      ]),
    );
    expect(fourth.resolved[0]!.decisions).toContainEqual(
      expect.objectContaining({ outcome: 'refused_quarantine', rule: 'quarantine:phone' }),
    );
    const { rows } = await h().pool.query(
      'SELECT identifier_type FROM quarantine WHERE identifier_hash = $1',
      [testHasher('phone', phone)],
    );
    expect(rows).toEqual([{ identifier_type: 'phone' }]);
  });
});
