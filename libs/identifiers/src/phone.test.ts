import fc from 'fast-check';
import { IdentifierError } from './identifier-error';
import { isRegion, normalizePhone } from './phone';

describe('normalizePhone', () => {
  it.each([
    ['(415) 555-2671', 'US', '+14155552671'],
    ['+1 415 555 2671', undefined, '+14155552671'],
    ['020 7946 0018', 'GB', '+442079460018'],
    ['0044 20 7946 0018', 'US', '+442079460018'],
    ['030 901820', 'DE', '+4930901820'],
    ['+33 6 12 34 56 78', 'US', '+33612345678'],
  ] as const)('normalizePhone should read %j in region %s as %s', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toBe(expected);
  });

  it.each([['0000000000'], ['12'], ['+1 000 000 0000'], ['hello'], ['4155552671999999999'], ['']])(
    'normalizePhone should reject %j',
    (raw) => {
      expect(() => normalizePhone(raw, 'US')).toThrow(IdentifierError);
    },
  );

  it('normalizePhone should reject a national number when no region is known', () => {
    expect(() => normalizePhone('415 555 2671')).toThrow(/default region/);
  });

  it('normalizePhone should be idempotent and ignore formatting', () => {
    const national = fc.constantFrom('4155552671', '2125550199', '6175550123', '3125550142');
    const format = fc.constantFrom(
      (d: string) => d,
      (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
      (d: string) => ` +1.${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)} `,
    );
    fc.assert(
      fc.property(national, format, (d, f) => {
        const once = normalizePhone(f(d), 'US');
        expect(once).toBe(normalizePhone(d, 'US'));
        expect(normalizePhone(once, 'GB')).toBe(once);
      }),
    );
  });

  it('isRegion should accept known ISO regions only', () => {
    expect(isRegion('US')).toBe(true);
    expect(isRegion('DE')).toBe(true);
    expect(isRegion('us')).toBe(false);
    expect(isRegion('ZZ')).toBe(false);
  });
});
