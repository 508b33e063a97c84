import { assertSchemaName, quoteIdent } from './identifiers';

describe('assertSchemaName', () => {
  it('should accept lower-case identifiers', () => {
    expect(assertSchemaName('profile_store')).toBe('profile_store');
    expect(quoteIdent('_t1')).toBe('"_t1"');
  });

  it('should refuse anything that could change the SQL it is interpolated into', () => {
    for (const bad of ['', 'Profile', '1abc', 'a-b', 'a"; DROP SCHEMA x; --', 'a b', 'x'.repeat(64)]) {
      expect(() => assertSchemaName(bad)).toThrow(/invalid schema name/);
    }
  });
});
