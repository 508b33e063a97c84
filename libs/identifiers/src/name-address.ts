import { cleanText } from './identifier-error';

/**
 * Normalized personal name: NFC, trimmed, inner whitespace collapsed, title case per word
 * (keeping particles and apostrophes/hyphens intact: `o'brien` → `O'Brien`, `anne-marie` → `Anne-Marie`).
 * The raw value is always kept beside it by callers; this is for display and matching.
 */
export function normalizeName(raw: string): { value: string; raw: string } {
  const cleaned = cleanText(raw);
  return {
    value: cleaned
      .toLocaleLowerCase('en')
      .replace(/(^|[\s'\-’])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toLocaleUpperCase('en')),
    raw,
  };
}

/** USPS-style suffix and directional abbreviations, expanded so `St.` and `Street` match. */
const ADDRESS_WORDS: Record<string, string> = {
  st: 'Street',
  str: 'Street',
  ave: 'Avenue',
  av: 'Avenue',
  rd: 'Road',
  blvd: 'Boulevard',
  dr: 'Drive',
  ln: 'Lane',
  ct: 'Court',
  pl: 'Place',
  sq: 'Square',
  pkwy: 'Parkway',
  hwy: 'Highway',
  ter: 'Terrace',
  cir: 'Circle',
  apt: 'Apartment',
  ste: 'Suite',
  fl: 'Floor',
  n: 'North',
  s: 'South',
  e: 'East',
  w: 'West',
  ne: 'Northeast',
  nw: 'Northwest',
  se: 'Southeast',
  sw: 'Southwest',
};

export interface PostalAddressInput {
  line1?: string | undefined;
  line2?: string | undefined;
  city?: string | undefined;
  region?: string | undefined;
  postalCode?: string | undefined;
  country?: string | undefined;
}

export interface NormalizedPostalAddress {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  /** The input as received, so nothing is lost. */
  raw: PostalAddressInput;
}

/** Normalizes a street line: whitespace, title case, abbreviations expanded, trailing dots dropped. */
export function normalizeStreetLine(raw: string): string {
  return cleanText(raw)
    .replace(/,/g, ' ,')
    .split(' ')
    .map((word) => {
      // "St." -> "st"; a lone "." stays, or the line would end in a space normalizing drops next time.
      const bare = word.replace(/(.)\.+$/, '$1').toLowerCase();
      const expanded = ADDRESS_WORDS[bare];
      if (expanded) return expanded;
      if (/\d/.test(word)) return word.toUpperCase();
      return bare.replace(/(^|[-'’])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase());
    })
    .join(' ')
    .replace(/ ,/g, ',');
}

/**
 * Normalizes a postal address field by field: street lines with common abbreviations expanded
 * (St/Street, Ave/Avenue, Rd/Road …), city title-cased, region and country upper-cased, postal code
 * upper-cased with whitespace collapsed. Empty fields are dropped; `raw` keeps the input.
 */
export function normalizePostalAddress(input: PostalAddressInput): NormalizedPostalAddress {
  const out: NormalizedPostalAddress = { raw: { ...input } };
  const text = (v: string | undefined) => (v === undefined ? '' : cleanText(v));
  if (text(input.line1)) out.line1 = normalizeStreetLine(text(input.line1));
  if (text(input.line2)) out.line2 = normalizeStreetLine(text(input.line2));
  if (text(input.city)) out.city = normalizeName(text(input.city)).value;
  if (text(input.region)) out.region = text(input.region).toUpperCase();
  if (text(input.postalCode)) out.postalCode = text(input.postalCode).toUpperCase();
  if (text(input.country)) out.country = text(input.country).toUpperCase();
  return out;
}
