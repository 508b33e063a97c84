import { computeSplit } from './compute-split';

const priority: Record<string, number> = { user_id: 100, email: 90, phone: 80, anonymous_id: 10 };
const priorityOf = (t: string) => priority[t] ?? 50;

describe('computeSplit', () => {
  it('should cut a bridge and let the user_id component keep the profile', () => {
    const members = [
      { type: 'user_id', hash: 'u1' },
      { type: 'email', hash: 'e1' },
      { type: 'phone', hash: 'p' },
      { type: 'email', hash: 'e2' },
    ];
    const plan = computeSplit({
      members,
      edges: [
        ['e1', 'u1'],
        ['e1', 'p'],
        ['e2', 'p'],
      ],
      removedHash: 'p',
      priorityOf,
    });
    expect(plan.components.map((c) => c.map((m) => m.hash).sort())).toEqual([['e1', 'u1'], ['e2'], ['p']]);
  });

  it('should keep the rest together when the removed identifier was not a bridge', () => {
    const members = [
      { type: 'email', hash: 'a' },
      { type: 'email', hash: 'b' },
      { type: 'phone', hash: 'c' },
    ];
    const plan = computeSplit({
      members,
      edges: [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ],
      removedHash: 'c',
      priorityOf,
    });
    expect(plan.components.map((c) => c.map((m) => m.hash).sort())).toEqual([['a', 'b'], ['c']]);
  });

  it('should refuse to remove an identifier the profile does not hold', () => {
    expect(() =>
      computeSplit({ members: [{ type: 'email', hash: 'a' }], edges: [], removedHash: 'z', priorityOf }),
    ).toThrow(/not on the profile/);
  });
});
