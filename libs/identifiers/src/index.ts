export { normalizeEmail, EMAIL_PROVIDER_RULES, type NormalizedValue } from './email';
export { normalizePhone, isRegion, type Region } from './phone';
export {
  normalizeName,
  normalizePostalAddress,
  normalizeStreetLine,
  type NormalizedPostalAddress,
  type PostalAddressInput,
} from './name-address';
export {
  normalizeIdentifier,
  matchValue,
  SOCIAL_HANDLE_TYPES,
  type NormalizeOptions,
} from './normalize-identifier';
export { extractIdentifiers, type ExtractedIdentifiers, type IdentifierSource } from './extract-identifiers';
export { IdentifierError, cleanText } from './identifier-error';
