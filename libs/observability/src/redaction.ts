/**
 * What never reaches a log line: personal data (contact details, names, addresses, birthdays,
 * IPs, identifier values, free-form traits) and credentials. Matched by property name at any
 * depth, case-insensitively.
 */
export const SENSITIVE_KEYS: readonly string[] = [
  'email',
  'phone',
  'name',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'fullName',
  'username',
  'address',
  'street',
  'city',
  'zip',
  'postalCode',
  'postal_code',
  'birthday',
  'traits',
  'ip',
  'writeKey',
  'password',
  'token',
  'secret',
  'secretSha256',
  'apiKey',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
];

/** Properties sensitive only inside an identifier (`{ type, value }` elsewhere is harmless). */
const IDENTIFIER_CONTAINERS = new Set(['identifiers', 'identifier']);
const IDENTIFIER_FIELDS = new Set(['value', 'raw', 'matchkey']);

const SENSITIVE = new Set(SENSITIVE_KEYS.map((k) => k.toLowerCase()));

/** Fixed pino `redact` paths, a second layer for the places credentials and PII usually sit. */
export const REDACT_PATHS: readonly string[] = [
  ...SENSITIVE_KEYS.filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'identifiers[*].value',
  'identifiers[*].raw',
  'identifiers[*].matchKey',
  'context.traits',
];

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 8;

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// A phone-like run: optional + or 00, then 9..15 digits with optional space, dash or paren
// separators. Dots and colons are not separators, so IPs, versions and offsets survive.
const PHONE_PATTERN = /(?<![\w.:/-])(?:\+|00)?\(?\d(?:[\s()-]{0,2}\d){8,14}(?![\w.:/-])/g;
// Postgres puts row values into error details: `Key (email)=(a@b.c) already exists`,
// `Failing row contains (…)`.
const PG_KEY_VALUE_PATTERN = /\)=\((?:[^()]|\([^()]*\))*\)/g;
const PG_FAILING_ROW_PATTERN = /Failing row contains \(.*\)/g;

/**
 * Scrubs personal data out of free text (error messages, driver details) where key-based
 * redaction cannot reach: email addresses, phone-like digit runs and Postgres row values.
 */
export function redactText(text: string): string {
  return text
    .replace(PG_FAILING_ROW_PATTERN, `Failing row contains (${REDACTED})`)
    .replace(PG_KEY_VALUE_PATTERN, `)=(${REDACTED})`)
    .replace(EMAIL_PATTERN, '[REDACTED_EMAIL]')
    .replace(PHONE_PATTERN, '[REDACTED_PHONE]');
}

/** Deep copy of a serialized value with every string passed through `redactText`. */
export function redactStrings(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = redactStrings(inner, depth + 1);
  return out;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Returns `value` with sensitive properties replaced by `[REDACTED]` at any depth, copying only
 * the objects that change (the caller's objects are never mutated). Errors nested anywhere go
 * through `serializeError`; class instances other than errors are left to pino's serializers.
 * Past the depth limit objects are replaced, not logged unchecked.
 */
export function redactObject(
  value: unknown,
  serializeError: (err: Error) => unknown,
  depth = 0,
  parentKey = '',
): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value);
  if (depth >= MAX_DEPTH) return '[Truncated]';
  const inIdentifier = IDENTIFIER_CONTAINERS.has(parentKey);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      // Elements of `identifiers` are identifiers themselves: keep the container as parent.
      const next = redactObject(item, serializeError, depth + 1, inIdentifier ? parentKey : '');
      if (next !== item) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const inner = value[key];
    const lower = key.toLowerCase();
    let next: unknown;
    if (inner !== undefined && (SENSITIVE.has(lower) || (inIdentifier && IDENTIFIER_FIELDS.has(lower))))
      next = REDACTED;
    else next = redactObject(inner, serializeError, depth + 1, lower);
    if (next !== inner) (copy ??= { ...value })[key] = next;
  }
  return copy ?? value;
}
