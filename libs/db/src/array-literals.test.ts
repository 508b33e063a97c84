import fc from 'fast-check';
import { uuidArray } from './array-literals';

describe('uuidArray', () => {
  it('is the literal pg would build, without its quotes', () => {
    fc.assert(
      fc.property(fc.array(fc.uuid()), (ids) => {
        expect(uuidArray(ids)).toBe(`{${ids.join(',')}}`);
      }),
    );
  });

  it('is an empty array for no ids', () => {
    expect(uuidArray([])).toBe('{}');
  });

  it.each([
    '',
    'not-a-uuid',
    '0190a1b2-0000-7000-8000-00000000000,',
    '{0190a1b2-0000-7000-8000-000000000000}',
  ])('refuses %j instead of letting the array parser split it', (bad) => {
    expect(() => uuidArray(['0190a1b2-0000-7000-8000-000000000000', bad])).toThrow(/not a UUID/);
  });
});
