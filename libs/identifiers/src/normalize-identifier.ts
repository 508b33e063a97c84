import { IdentifierTypeSchema, type Identifier } from '@tessera/contracts';
import { normalizeEmail } from './email';
import { IdentifierError } from './identifier-error';
import { normalizePhone, type Region } from './phone';

/**
 * Identifier types holding social-network handles: `@Ana_B` and `ana_b` are the same account, so
 * the leading `@` is dropped and the handle lower-cased (every listed network treats handles
 * case-insensitively). Numeric platform user ids pass through unchanged.
 */
export const SOCIAL_HANDLE_TYPES: ReadonlySet<string> = new Set([
  'instagram',
  'tiktok',
  'twitter',
  'x',
  'facebook',
  'linkedin',
  'youtube',
  'threads',
  'pinterest',
  'snapchat',
  'bluesky',
]);

export interface NormalizeOptions {
  /** Region for phone numbers written without a country code (the source's default region). */
  defaultRegion?: Region | undefined;
}

const MAX_VALUE = 512;
const MAX_RAW = 1024;

/**
 * Normalizes one identifier of any type, the one rule set shared by ingest, identity and
 * profile-store lookups:
 * - `email`: trim, NFC, lower-case, validated; provider-aware `matchKey` (see `normalizeEmail`).
 * - `phone`: E.164 via libphonenumber (`defaultRegion` for national numbers); invalid rejected.
 * - social handle types (`instagram`, `tiktok`, …): trim, NFC, leading `@` removed, lower-cased.
 * - everything else (`user_id`, `anonymous_id`, `crm_id`, `loyalty_id`, …): trim and NFC, case kept.
 * `raw` is set only when it differs from `value` (absent raw means the value arrived as is).
 * Throws `IdentifierError` (AppError IDENTIFIER_INVALID, 400) when the value cannot be an identifier.
 */
export function normalizeIdentifier(type: string, raw: string, options: NormalizeOptions = {}): Identifier {
  if (!IdentifierTypeSchema.safeParse(type).success) {
    throw new IdentifierError(type, 'identifier type must be snake_case, 1-64 characters');
  }
  if (raw.length > MAX_RAW) throw new IdentifierError(type, `${type} is longer than ${MAX_RAW} characters`);
  let value: string;
  let matchKey: string | undefined;
  if (type === 'email') {
    ({ value, matchKey } = normalizeEmail(raw));
  } else if (type === 'phone') {
    value = normalizePhone(raw, options.defaultRegion);
  } else if (SOCIAL_HANDLE_TYPES.has(type)) {
    value = raw.normalize('NFC').trim().replace(/^@+/, '').toLowerCase();
  } else {
    value = raw.normalize('NFC').trim();
  }
  if (value.length === 0) throw new IdentifierError(type, `${type} is empty`);
  if (value.length > MAX_VALUE)
    throw new IdentifierError(type, `${type} is longer than ${MAX_VALUE} characters`);
  const out: Identifier = { type, value };
  if (matchKey !== undefined) out.matchKey = matchKey;
  if (raw !== value) out.raw = raw;
  return out;
}

/** The value identity hashes: the match key when the provider has one, else the value. */
export function matchValue(identifier: Pick<Identifier, 'value' | 'matchKey'>): string {
  return identifier.matchKey ?? identifier.value;
}
