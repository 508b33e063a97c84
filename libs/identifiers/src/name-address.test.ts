import fc from 'fast-check';
import { normalizeName, normalizePostalAddress, normalizeStreetLine } from './name-address';

describe('name and address normalization', () => {
  it('normalizeName should collapse whitespace and title-case while keeping the raw input', () => {
    expect(normalizeName("  o'BRIEN   anne-marie ")).toEqual({
      value: "O'Brien Anne-Marie",
      raw: "  o'BRIEN   anne-marie ",
    });
  });

  it('normalizeStreetLine should expand common abbreviations', () => {
    expect(normalizeStreetLine('12  main st.')).toBe('12 Main Street');
    expect(normalizeStreetLine('5 N Oak Ave, Apt 4b')).toBe('5 North Oak Avenue, Apartment 4B');
    expect(normalizeStreetLine('12 Main Street')).toBe(normalizeStreetLine('12 MAIN ST'));
    expect(normalizeStreetLine('12 main st..')).toBe('12 Main Street');
  });

  it('normalizeStreetLine should keep a lone dot (found by the idempotence property: "! ." became "! ")', () => {
    expect(normalizeStreetLine('! .')).toBe('! .');
    expect(normalizeStreetLine('!..')).toBe('!');
  });

  it('normalizePostalAddress should normalize each field and keep the raw input', () => {
    const raw = {
      line1: '1 elm rd',
      city: ' san  francisco',
      region: 'ca',
      postalCode: ' 94105 ',
      country: 'us',
      line2: ' ',
    };
    expect(normalizePostalAddress(raw)).toEqual({
      line1: '1 Elm Road',
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94105',
      country: 'US',
      raw,
    });
  });

  it('normalizeName and normalizeStreetLine should be idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const name = normalizeName(s).value;
        expect(normalizeName(name).value).toBe(name);
        const street = normalizeStreetLine(s);
        expect(normalizeStreetLine(street)).toBe(street);
      }),
    );
  });
});
