import { createIdentifierHasher, type IdentifierHasher } from '@tessera/crypto';
import { suppressionKeysOf } from './suppression-list';

describe('suppressionKeysOf', () => {
  const hasher = createIdentifierHasher('k'.repeat(32));

  it('suppressionKeysOf should hash each distinct identifier of a request once and agree with the unmemoized keys', () => {
    let calls = 0;
    const counting: IdentifierHasher = (type, value) => {
      calls += 1;
      return hasher(type, value);
    };
    const ids = [
      { type: 'anonymous_id', value: 'a1' },
      { type: 'email', value: 'ada@example.com', matchKey: 'ada@example.com' },
    ];
    const memo = new Map<string, string>();
    const first = suppressionKeysOf(ids, counting, memo);
    const again = suppressionKeysOf(ids, counting, memo);
    const other = suppressionKeysOf([{ type: 'user_id', value: 'a1' }], counting, memo);
    expect(calls).toBe(3);
    expect(again).toEqual(first);
    expect(first).toEqual(suppressionKeysOf(ids, hasher));
    // Same value, different type: a different key (types are part of the hash).
    expect(other[0]).not.toBe(first[0]);
  });
});
