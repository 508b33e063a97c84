/**
 * A roster: one Segment `identify` per synthetic person, for growing an identity graph and the
 * golden records to a given size fast (the full world sends a dozen or more messages per person).
 *
 * Person `i` is a pure function of (seed, namespace, i), so a roster can be produced in ranges
 * (`from`) and a later range never repeats an earlier one. Every person is distinct: the user id,
 * email, phone and device id all embed `i`, so the roster resolves to exactly one profile per
 * person (no merges, no refusals) — the shape of a CRM or signup backfill.
 */
import { LIBRARY } from '../payloads/segment';
import { DEFAULT_START_AT } from './generate-world';
import type { WorldMessage } from './model';
import { asciiSlug } from './noise';
import { Rng, hashString } from './rng';
import { Countries, FirstNames, FreemailDomains, LastNames, WorkDomains } from './vocabulary';

export interface RosterOptions {
  seed: number;
  /** Keeps identifiers apart from other rosters and worlds on the same platform. */
  namespace: string;
  /** First person index (default 0). */
  from?: number;
  count: number;
  /** Timestamp of person 0; person i identifies i seconds later. */
  startAt?: string;
}

const US_AREAS = ['415', '212', '312', '617', '303', '512'] as const;
// German mobile prefixes 151, 152, 155, 156, 157, 159 are all allocated ranges
const DE_MOBILE = ['1', '2', '5', '6', '7', '9'] as const;

/** An E.164 mobile number unique to index `i` (< 48M for the US, < 100M elsewhere). */
export function rosterPhone(country: (typeof Countries)[number]['code'], i: number, rng: Rng): string {
  const eight = String(i % 100_000_000).padStart(8, '0');
  switch (country) {
    case 'US': {
      const area = US_AREAS[Math.floor(i / 8_000_000) % US_AREAS.length]!;
      const exchange = 200 + (Math.floor(i / 10_000) % 800);
      return `+1${area}${exchange}${String(i % 10_000).padStart(4, '0')}`;
    }
    case 'GB':
      return `+447${rng.pick(['4', '5', '7', '8', '9'])}${eight}`;
    case 'DE':
      return `+4915${rng.pick(DE_MOBILE)}${eight}`;
    case 'FR':
      return `+33${rng.pick(['6', '7'])}${eight}`;
  }
}

/** The identify message of roster person `i`. */
export function rosterPerson(seed: number, namespace: string, i: number, startMs: number): WorldMessage {
  const rng = new Rng((hashString(`${namespace}:${i}`) ^ seed) >>> 0);
  const firstName = rng.pick(FirstNames);
  const lastName = rng.pick(LastNames);
  const country = rng.pick(Countries);
  const tag = i.toString(36);
  const domain = rng.chance(0.8) ? rng.pick(FreemailDomains) : rng.pick(WorkDomains);
  const id = `roster-${namespace}-${tag}`;
  const at = new Date(startMs + i * 1000).toISOString();
  const traits: Record<string, unknown> = {
    email: `${asciiSlug(firstName)}.${asciiSlug(lastName)}.${namespace}${tag}@${domain}`,
    firstName,
    lastName,
    address: { city: rng.pick(country.cities), country: country.code },
  };
  // three in four people give a mobile number at signup, as in the full world
  if (rng.chance(0.75)) traits.phone = rosterPhone(country.code, i, rng);
  return {
    id,
    seq: i,
    route: 'web',
    kind: 'identify',
    at,
    body: {
      type: 'identify',
      messageId: id,
      timestamp: at,
      userId: `usr_${namespace}_${tag}`,
      anonymousId: rng.uuid(),
      traits,
      context: { library: LIBRARY, locale: 'en-US' },
    },
  };
}

/** Roster persons `from` … `from + count - 1`, lazily. */
export function* generateRoster(opts: RosterOptions): Generator<WorldMessage> {
  const from = opts.from ?? 0;
  const startMs = Date.parse(opts.startAt ?? DEFAULT_START_AT);
  for (let i = from; i < from + opts.count; i++) yield rosterPerson(opts.seed, opts.namespace, i, startMs);
}
