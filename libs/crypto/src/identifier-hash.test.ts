import { createIdentifierHasher } from './identifier-hash';

describe('createIdentifierHasher', () => {
  const hash = createIdentifierHasher('0123456789abcdef0123456789abcdef');

  it('createIdentifierHasher should be deterministic, keyed and type-scoped', () => {
    expect(hash('email', 'a@b.co')).toBe(hash('email', 'a@b.co'));
    expect(hash('email', 'a@b.co')).not.toBe(hash('user_id', 'a@b.co'));
    expect(createIdentifierHasher('fedcba9876543210fedcba9876543210')('email', 'a@b.co')).not.toBe(
      hash('email', 'a@b.co'),
    );
    expect(hash('email', 'a@b.co')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('createIdentifierHasher should keep producing the hashes already stored in graphs and tables', () => {
    // HMAC-SHA256(key, "email:a@b.co") truncated to 16 bytes; a change here orphans every stored hash.
    expect(hash('email', 'a@b.co')).toBe('wys512rg_OjbMkqMTAHbxA');
  });
});
