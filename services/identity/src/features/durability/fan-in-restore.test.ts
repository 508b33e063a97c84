import fc from 'fast-check';
import { fingerprint } from '../../graph/graph-keys';
import { compileRules, defaultIdentityRules } from '../../rules/identity-rules';
import { testHasher } from '../../test-support/fixtures';
import { restoreFanIn, type TypedEdge } from './fan-in-restore';

const rules = compileRules(defaultIdentityRules);
const id = (type: string, value: string) => ({ type, hash: testHasher(type, value) });
const edge = (x: { type: string; hash: string }, y: { type: string; hash: string }): TypedEdge =>
  x.hash < y.hash
    ? { a: x.hash, aType: x.type, b: y.hash, bType: y.type }
    : { a: y.hash, aType: y.type, b: x.hash, bType: x.type };
const fingerprints = (set: string | undefined) =>
  set === undefined
    ? []
    : Array.from({ length: set.length / 4 }, (_, i) =>
        Buffer.from(set.slice(i * 4, i * 4 + 4), 'latin1').toString('hex'),
      );

describe('restoreFanIn', () => {
  const phone = id('phone', '+14155550100');
  const emails = [1, 2, 3].map((i) => id('email', `p${i}@mail.org`));
  const user = id('user_id', 'u-1');

  it('should give a shared value the fingerprints of the strong identifiers it was seen with', async () => {
    const restored = await restoreFanIn(
      [...emails.map((e) => edge(e, phone)), edge(emails[0]!, phone)],
      rules,
      new Set(),
    );
    expect(fingerprints(restored.get(phone.hash)).sort()).toEqual(
      emails.map((e) => fingerprint(e.hash).toString('hex')).sort(),
    );
  });

  it('should count only the types its rule lists, and leave quarantined values to their marker', async () => {
    const restored = await restoreFanIn(
      [edge(user, emails[0]!), edge(user, phone), edge(emails[0]!, emails[1]!)],
      rules,
      new Set([phone.hash]),
    );
    // email counts user ids only (default rules), not other emails; user_id has no quarantine.
    expect(fingerprints(restored.get(emails[0]!.hash))).toEqual([fingerprint(user.hash).toString('hex')]);
    expect(restored.has(emails[1]!.hash)).toBe(false);
    expect(restored.has(user.hash)).toBe(false);
    expect(restored.has(phone.hash)).toBe(false);
  });

  it('should not depend on the order the edges are read in', async () => {
    const all = [...emails.map((e) => edge(e, phone)), edge(user, phone), edge(user, emails[1]!)];
    const expected = await restoreFanIn(all, rules, new Set());
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(all, { minLength: all.length }), async (order) => {
        expect(await restoreFanIn(order, rules, new Set())).toEqual(expected);
      }),
    );
  });
});
