import { IdentifierError } from './identifier-error';

export interface NormalizedValue {
  /** The normalized form of what the customer typed; never provider-rewritten. */
  value: string;
  /** Provider-aware canonical form for matching only; absent when it equals `value`. */
  matchKey?: string;
}

/** Gmail ignores dots in the local part and everything after `+`; googlemail.com is the same mailbox. */
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * Providers that document `+` subaddressing (the tag is delivered to the base mailbox) but where
 * dots are significant: Outlook/Hotmail/Live/MSN, iCloud/me/mac, Fastmail, Proton.
 * Yahoo uses `-` disposable addresses tied to a different base name, so it is deliberately absent.
 */
const PLUS_TAG_DOMAINS = new Set([
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'fastmail.com',
  'fastmail.fm',
  'proton.me',
  'protonmail.com',
  'pm.me',
]);

// RFC 5321 limits; the local part is permissive (dot-atom, unicode allowed for SMTPUTF8) but no
// whitespace, no unquoted specials, no leading/trailing/double dots.
const LOCAL_PART = /^[^\s@"(),:;<>[\\\]]+$/u;
const DOMAIN_LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

/** Domains and providers whose subaddressing is understood (for docs and tests). */
export const EMAIL_PROVIDER_RULES = {
  dotsAndPlusTags: [...GMAIL_DOMAINS],
  plusTags: [...PLUS_TAG_DOMAINS],
} as const;

/**
 * Normalizes an email address: trim, NFC, lower-case, validate. The provider-aware match key
 * (Gmail without dots and +tags, `googlemail.com` → `gmail.com`; +tags for subaddressing
 * providers) is returned separately so it never overwrites what the customer typed.
 * Throws `IdentifierError` for anything that is not a plausible address.
 */
export function normalizeEmail(raw: string): NormalizedValue {
  const value = raw.normalize('NFC').trim().toLowerCase();
  if (value.length === 0) throw new IdentifierError('email', 'email is empty');
  if (value.length > 254) throw new IdentifierError('email', 'email is longer than 254 characters');
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1)
    throw new IdentifierError('email', 'email must have a local part and a domain');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).replace(/\.$/, '');
  if (local.length > 64) throw new IdentifierError('email', 'email local part is longer than 64 characters');
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw new IdentifierError('email', 'email local part is invalid');
  }
  const labels = domain.split('.');
  if (
    labels.length < 2 ||
    !labels.every((l) => DOMAIN_LABEL.test(l)) ||
    /^\d+$/.test(labels[labels.length - 1] ?? '')
  ) {
    throw new IdentifierError('email', 'email domain is invalid');
  }
  const normalized = `${local}@${domain}`;
  const matchKey = providerMatchKey(local, domain);
  return matchKey === undefined || matchKey === normalized
    ? { value: normalized }
    : { value: normalized, matchKey };
}

function providerMatchKey(local: string, domain: string): string | undefined {
  if (GMAIL_DOMAINS.has(domain)) {
    const base = stripTag(local).replace(/\./g, '');
    return base.length > 0 ? `${base}@gmail.com` : undefined;
  }
  if (PLUS_TAG_DOMAINS.has(domain)) {
    const base = stripTag(local);
    return base.length > 0 ? `${base}@${domain}` : undefined;
  }
  return undefined;
}

function stripTag(local: string): string {
  const plus = local.indexOf('+');
  return plus === -1 ? local : local.slice(0, plus);
}
