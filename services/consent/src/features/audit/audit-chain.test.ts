import { GENESIS_HASH, canonicalJson, chainHash, createChainVerifier, signCheckpoint } from './audit-chain';
import type { ChainRow } from './audit-chain';

function chain(entries: unknown[], startSeq = 1, startHash = GENESIS_HASH): ChainRow[] {
  let prev = startHash;
  return entries.map((entry, i) => {
    const hash = chainHash(prev, entry);
    const row = { seq: startSeq + i, entry, prevHash: prev, hash };
    prev = hash;
    return row;
  });
}

describe('audit chain', () => {
  it('canonicalJson should not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
  });

  it('createChainVerifier should accept an intact chain and detect an altered entry at its seq', () => {
    const rows = chain([{ action: 'a' }, { action: 'b' }, { action: 'c' }]);
    const ok = createChainVerifier({ throughSeq: 0, hash: GENESIS_HASH });
    expect(rows.map((r) => ok.next(r)).filter(Boolean)).toEqual([]);
    expect(ok.verified).toBe(3);

    const tampered = rows.map((r) => (r.seq === 2 ? { ...r, entry: { action: 'x' } } : r));
    const verifier = createChainVerifier({ throughSeq: 0, hash: GENESIS_HASH });
    const breaks = tampered.map((r) => verifier.next(r)).filter(Boolean);
    expect(breaks[0]).toMatchObject({ seq: 2, kind: 'hash_mismatch' });
  });

  it('createChainVerifier should detect a deleted row and resume from a purge checkpoint', () => {
    const rows = chain([1, 2, 3, 4]);
    const verifier = createChainVerifier({ throughSeq: 0, hash: GENESIS_HASH });
    verifier.next(rows[0]!);
    expect(verifier.next(rows[2]!)).toMatchObject({ kind: 'gap', expectedSeq: 2 });

    const fromCheckpoint = createChainVerifier({ throughSeq: 2, hash: rows[1]!.hash });
    expect(fromCheckpoint.next(rows[2]!)).toBeUndefined();
    expect(fromCheckpoint.next(rows[3]!)).toBeUndefined();
  });

  it('signCheckpoint should change with any field', () => {
    const key = Buffer.alloc(32, 7);
    const base = signCheckpoint(key, 10, 'ab', '2026-01-01T00:00:00.000Z');
    expect(signCheckpoint(key, 11, 'ab', '2026-01-01T00:00:00.000Z')).not.toBe(base);
    expect(signCheckpoint(key, 10, 'ac', '2026-01-01T00:00:00.000Z')).not.toBe(base);
  });
});
