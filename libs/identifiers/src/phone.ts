import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { IdentifierError } from './identifier-error';

/** ISO 3166-1 alpha-2 region code as libphonenumber expects it (`US`, `GB`, `DE`). */
export type Region = CountryCode;

const DIGITS = /\d/g;

/**
 * Normalizes a phone number to E.164 (`+14155550123`). Numbers without a leading `+` (or `00`)
 * are read in `defaultRegion` (the source's region). Impossible and invalid numbers are rejected,
 * which also rejects junk such as `0000000000`. Extensions are dropped from the value: they do not
 * identify a person.
 */
export function normalizePhone(raw: string, defaultRegion?: Region): string {
  const text = raw.normalize('NFKC').trim();
  if (text.length === 0) throw new IdentifierError('phone', 'phone is empty');
  if (text.length > 64) throw new IdentifierError('phone', 'phone is longer than 64 characters');
  const digits = text.match(DIGITS)?.length ?? 0;
  if (digits < 5 || digits > 17)
    throw new IdentifierError('phone', 'phone has an impossible number of digits');
  // `00` is the international prefix in most of the world; libphonenumber only knows it per region.
  const international = text.startsWith('00') && !text.startsWith('000') ? `+${text.slice(2)}` : text;
  const parsed = parsePhoneNumberFromString(international, defaultRegion);
  if (!parsed) {
    throw new IdentifierError(
      'phone',
      defaultRegion
        ? 'phone could not be parsed'
        : 'phone has no country code and the source has no default region',
    );
  }
  if (!parsed.isPossible()) throw new IdentifierError('phone', 'phone is not a possible number');
  if (!parsed.isValid()) throw new IdentifierError('phone', 'phone is not a valid number');
  return parsed.number;
}

/** Whether a string is a region libphonenumber knows (for validating source config). */
export function isRegion(value: string): value is Region {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}
