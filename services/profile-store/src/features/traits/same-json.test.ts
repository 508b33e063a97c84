import fc from 'fast-check';
import { sameJson } from './same-json';

describe('sameJson', () => {
  it('sameJson should agree with comparing JSON.stringify output', () => {
    const special = fc.constantFrom(
      0,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
      undefined,
      '0',
      'null',
    );
    const value = fc.oneof(
      fc.jsonValue(),
      special,
      fc.array(fc.oneof(special, fc.string(), fc.integer())),
      fc.dictionary(fc.constantFrom('a', 'b'), fc.oneof(special, fc.integer())),
    );
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(sameJson(a, structuredClone(a))).toBe(true);
      }),
    );
  });

  it('sameJson should agree with JSON.stringify on the values that print alike', () => {
    const element = fc.constantFrom(null, undefined, 0, -0, Number.NaN, '0');
    const cell = fc.oneof(element, fc.array(element, { minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(cell, cell, (a, b) => {
        expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
    );
  });

  it('sameJson should tell apart what serialises differently', () => {
    expect(sameJson(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson(1, '1')).toBe(false);
    expect(sameJson(undefined, null)).toBe(false);
    expect(sameJson(Number.NaN, null)).toBe(true);
  });
});
