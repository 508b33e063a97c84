import type { Rng } from './rng';
import type { CountryProfile } from './vocabulary';

/** Canonical (as a correct normalizer would store it) form of an email: trimmed, NFC, lower-cased. */
export function canonicalEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** The mailbox an email reaches: Gmail ignores dots and +tags and treats googlemail.com as gmail.com. */
export function mailboxKey(email: string): string {
  const canonical = canonicalEmail(email);
  const at = canonical.lastIndexOf('@');
  const local = canonical.slice(0, at);
  const domain = canonical.slice(at + 1);
  if (!GMAIL_DOMAINS.has(domain)) return canonical;
  return `${local.split('+')[0]!.replace(/\./g, '')}@gmail.com`;
}

export function isGmail(email: string): boolean {
  return GMAIL_DOMAINS.has(canonicalEmail(email).split('@')[1] ?? '');
}

export type EmailVariant = 'exact' | 'case' | 'whitespace' | 'gmail_dots' | 'gmail_tag';

/** How a person's email arrives from a channel: mostly as registered, sometimes mangled the ways people and forms mangle it. */
export function emailVariant(rng: Rng, email: string): { value: string; variant: EmailVariant } {
  const variant = rng.weighted<EmailVariant>([
    ['exact', 10],
    ['case', 2],
    ['whitespace', 1],
    ['gmail_dots', isGmail(email) ? 1 : 0],
    ['gmail_tag', isGmail(email) ? 1 : 0],
  ]);
  const [local, domain] = email.split('@') as [string, string];
  switch (variant) {
    case 'exact':
      return { value: email, variant };
    case 'case':
      return {
        value: `${capitalizeParts(local)}@${domain.charAt(0).toUpperCase()}${domain.slice(1)}`,
        variant,
      };
    case 'whitespace':
      return { value: ` ${email}  `, variant };
    case 'gmail_dots': {
      const undotted = local.replace(/\./g, '');
      const changed = undotted !== local ? undotted : `${local.slice(0, 1)}.${local.slice(1)}`;
      return { value: `${changed}@${domain}`, variant };
    }
    case 'gmail_tag':
      return { value: `${local}+${rng.pick(['shop', 'news', 'promo', 'store'])}@${domain}`, variant };
  }
}

function capitalizeParts(local: string): string {
  return local.replace(/(^|[._])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** ASCII-safe local part from a name (mail providers do not accept `müller`). */
export function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/** A phone number: the E.164 form plus the parts needed to write it the ways people do. */
export interface Phone {
  e164: string;
  country: CountryProfile['code'];
  /** National significant number (no trunk prefix). */
  national: string;
  kind: 'mobile' | 'landline';
}

export function makePhone(rng: Rng, country: CountryProfile, kind: Phone['kind']): Phone {
  let national: string;
  switch (country.code) {
    case 'US':
      national = `${rng.pick(['415', '212', '312', '617', '303', '512'])}${rng.int(2, 9)}${rng.digits(2)}${rng.digits(4)}`;
      break;
    case 'GB':
      national =
        kind === 'mobile'
          ? `7${rng.pick(['4', '5', '7', '8', '9'])}${rng.digits(8)}`
          : `20${rng.int(3, 8)}${rng.digits(7)}`;
      break;
    case 'DE':
      national =
        kind === 'mobile' ? `15${rng.int(1, 9)}${rng.digits(8)}` : `30${rng.int(2, 9)}${rng.digits(6)}`;
      break;
    case 'FR':
      national = kind === 'mobile' ? `${rng.pick(['6', '7'])}${rng.digits(8)}` : `1${rng.digits(8)}`;
      break;
  }
  return { e164: `+${country.dialCode}${national}`, country: country.code, national, kind };
}

export type PhoneFormat = 'e164' | 'international' | 'national' | 'digits';

/** A phone as typed: E.164, spaced international, or the local national format (needs a default region to parse). */
export function formatPhone(phone: Phone, format: PhoneFormat): string {
  const n = phone.national;
  const dial = phone.e164.slice(1, phone.e164.length - n.length);
  switch (format) {
    case 'e164':
      return phone.e164;
    case 'international':
      return `+${dial} ${groupDigits(n)}`;
    case 'national':
      if (phone.country === 'US') return `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`;
      return `0${groupDigits(n)}`;
    case 'digits':
      return phone.country === 'US' ? n : `0${n}`;
  }
}

function groupDigits(n: string): string {
  const groups: string[] = [];
  for (let i = 0; i < n.length; i += i === 0 ? 3 : 4) groups.push(n.slice(i, i === 0 ? 3 : i + 4));
  return groups.join(' ');
}

/** Names keyed in at a till: transposed, dropped or doubled letters, shouting. */
export function tillTypo(rng: Rng, name: string): string {
  if (name.length < 3) return name;
  const i = rng.int(1, name.length - 2);
  switch (rng.int(0, 3)) {
    case 0:
      return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
    case 1:
      return name.slice(0, i) + name.slice(i + 1);
    case 2:
      return name.slice(0, i) + name[i] + name.slice(i);
    default:
      return name.toUpperCase();
  }
}
