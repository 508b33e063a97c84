import { UUID_PATTERN, uuidv7 } from './ids';

describe('uuidv7', () => {
  it('uuidv7 should be unique, well-formed version 7 and ordered by time', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => uuidv7(1_700_000_000_000 + i));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(UUID_PATTERN);
      expect(id[14]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[19]);
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it('uuidv7 should carry the 48-bit millisecond timestamp big-endian in its first 12 hex digits', () => {
    for (const ms of [0, 1, 0xffffffff, 0x100000000, 1_700_000_000_123, 2 ** 48 - 1]) {
      const hex = uuidv7(ms).replace(/-/g, '');
      expect(hex.slice(0, 12)).toBe(ms.toString(16).padStart(12, '0'));
    }
  });

  it('uuidv7 should not repeat ids minted in the same millisecond across pool refills', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    // 74 random bits: the random part differs, not only the timestamp.
    expect(new Set(ids.map((id) => id.slice(15))).size).toBe(ids.length);
  });
});
