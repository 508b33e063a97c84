/**
 * Traits that hold personal data. Their observations and golden values are stored encrypted
 * (FieldEncryptor) and served only to keys with `pii:read`, masked otherwise. Other traits
 * (plan, loyalty tier, preferences) stay plain so they can be searched and aggregated.
 */
export const PiiTraits = new Set([
  'email',
  'phone',
  'name',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'username',
  'address',
  'street',
  'postalCode',
  'birthday',
  'age',
  'title',
  'avatar',
]);

export const isPiiTrait = (trait: string): boolean => PiiTraits.has(trait);

/** The associated-data context of an encrypted trait value; binds a ciphertext to its trait. */
export const traitEncryptionContext = (trait: string): string => `profile_store.trait:${trait}`;
export const identityEncryptionContext = 'profile_store.identities.raw_value';

/** Masks a personal value for keys without `pii:read`: keeps enough to recognise, never enough to use. */
export function maskValue(value: unknown, kind?: string): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'object') {
    if (Array.isArray(value)) return value.map((v) => maskValue(v));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  }
  const text = String(value);
  if (kind === 'email' || /^[^@\s]+@[^@\s]+$/.test(text)) {
    const [local, domain] = text.split('@') as [string, string];
    return `${local.slice(0, 1)}***@${domain}`;
  }
  if (kind === 'phone' || /^\+?[0-9][0-9 ()-]{5,}$/.test(text)) {
    const digits = text.replace(/[^0-9+]/g, '');
    const head = digits.startsWith('+') ? digits.slice(0, 3) : digits.slice(0, 2);
    const tail = digits.slice(-2);
    return `${head}${'*'.repeat(Math.max(digits.length - head.length - tail.length, 2))}${tail}`;
  }
  // A fixed-width mask: the length of a name is itself a hint.
  return text.length <= 1 ? '***' : `${text.slice(0, 1)}***`;
}
