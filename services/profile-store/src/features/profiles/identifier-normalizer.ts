import { normalizeIdentifier } from '@tessera/identifiers';
import type { IdentifierNormalizer } from './profile-service';

/**
 * Lookups normalize exactly as ingest does (libs/identifiers), so `?type=email&value=Ana@Example.com`
 * finds the profile whose events carried `ana@example.com`; the match key (e.g. Gmail without dots)
 * is what was hashed when present.
 */
export const normalizeForLookup: IdentifierNormalizer = (type, value) => {
  const normalized = normalizeIdentifier(type, value);
  return { value: normalized.value, matchKey: normalized.matchKey };
};
