/**
 * What never reaches a log line: personal data (GDPR "personal data": contact details, names,
 * addresses, birthdays, IPs, identifier values, free-form traits) and credentials.
 */
const SENSITIVE_KEYS = [
  'email',
  'phone',
  'name',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
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
] as const;

/** Paths inside each element of an `identifiers` array (values, raw input, match keys). */
const IDENTIFIER_FIELDS = ['value', 'raw', 'matchKey'] as const;

/** Headers that carry credentials, wherever a request-like object is logged. */
const HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

function buildRedactPaths(): string[] {
  const paths = new Set<string>(HEADER_PATHS);
  // Top level, one and two levels down: covers `{ email }`, `{ user: { email } }` and
  // `{ event: { traits: { email } } }`, the shapes services log.
  for (const prefix of ['', '*.', '*.*.']) {
    for (const key of SENSITIVE_KEYS) paths.add(`${prefix}${key}`);
    for (const field of IDENTIFIER_FIELDS) {
      paths.add(`${prefix}identifiers[*].${field}`);
      paths.add(`${prefix}identifier.${field}`);
    }
  }
  paths.add('context.traits');
  paths.add('*.context.traits');
  return [...paths];
}

/** Every pino `redact` path the platform logger uses. Exported so tests can check coverage. */
export const REDACT_PATHS: readonly string[] = buildRedactPaths();

export const REDACTED = '[REDACTED]';

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// A phone-like run: optional + or 00, then 9..15 digits with optional space, dash or paren
// separators. Dots and colons are not separators, so IPs, versions and offsets survive.
const PHONE_PATTERN = /(?<![\w.:/-])(?:\+|00)?\(?\d(?:[\s()-]{0,2}\d){8,14}(?![\w.:/-])/g;
// Postgres puts row values into error details: `Key (email)=(a@b.c) already exists`,
// `Failing row contains (…)`.
const PG_KEY_VALUE_PATTERN = /\)=\((?:[^()]|\([^()]*\))*\)/g;
const PG_FAILING_ROW_PATTERN = /Failing row contains \(.*\)/g;

/**
 * Scrubs personal data out of free text (error messages, driver details) where path-based
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
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = redactStrings(inner, depth + 1);
  return out;
}
