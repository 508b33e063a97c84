import type { Address, Device, Household, Person } from './model';
import { asciiSlug, makePhone, mailboxKey, type Phone } from './noise';
import type { Rng } from './rng';
import {
  Countries,
  FirstNames,
  FreemailDomains,
  LastNames,
  SocialNetworks,
  Streets,
  WorkDomains,
  type CountryProfile,
} from './vocabulary';

/**
 * Hands out identifiers that are unique across the world (by mailbox for emails, by E.164 for
 * phones), so the only identifiers two persons share are the deliberate shared and junk ones.
 */
class UniqueRegistry {
  private readonly used = new Set<string>();

  claim<T>(make: () => T, key: (value: T) => string): T {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const value = make();
      const k = key(value);
      if (!this.used.has(k)) {
        this.used.add(k);
        return value;
      }
    }
    throw new Error('identifier space exhausted: reduce the number of persons');
  }
}

export interface PopulationOptions {
  persons: number;
  days: number;
  /**
   * Makes emails, user ids and loyalty ids unique to this world (`ada.lovelace.n1@gmail.com`), so
   * several worlds can be sent to one platform without people of different worlds colliding.
   * Phones are not namespaced (their digit space is what it is); collisions across worlds are rare.
   */
  namespace?: string;
}

/** Persons grouped into households of one to four, with their identifiers and devices. */
export function generatePopulation(
  rng: Rng,
  opts: PopulationOptions,
): { persons: Person[]; households: Household[] } {
  const persons: Person[] = [];
  const households: Household[] = [];
  for (const { household, members } of populationStream(rng, opts)) {
    households.push(household);
    persons.push(...members);
  }
  return { persons, households };
}

/**
 * The same population one household at a time, so very large worlds (a million persons) can be
 * produced without holding them all in memory; only the set of claimed identifiers grows.
 */
export function* populationStream(
  rng: Rng,
  opts: PopulationOptions,
): Generator<{ household: Household; members: Person[] }> {
  const registry = new UniqueRegistry();
  let created = 0;
  let householdCount = 0;
  while (created < opts.persons) {
    const country = rng.weighted<CountryProfile>(Countries.map((c) => [c, c.code === 'US' ? 4 : 2] as const));
    const householdId = `h-${String(++householdCount).padStart(5, '0')}`;
    const size = Math.min(
      opts.persons - created,
      rng.weighted([
        [1, 5],
        [2, 4],
        [3, 2],
        [4, 1],
      ] as const),
    );
    const address = makeAddress(rng, country);
    const lastName = rng.pick(LastNames);
    const household: Household = { householdId, address, memberIds: [] };
    if (size > 1 && rng.chance(0.5)) {
      household.landline = registry.claim(
        () => makePhone(rng, country, 'landline'),
        (p) => p.e164,
      );
    }
    if (size > 1 && rng.chance(0.6)) {
      household.sharedDevice = { anonymousId: rng.uuid(), kind: 'tablet', surface: 'web', shared: true };
    }
    const members: Person[] = [];
    for (let i = 0; i < size; i++) {
      const person = makePerson(rng, registry, {
        personId: `p-${String(++created).padStart(6, '0')}`,
        householdId,
        country,
        lastName: i === 0 || rng.chance(0.7) ? lastName : rng.pick(LastNames),
        address,
        days: opts.days,
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
      });
      members.push(person);
      household.memberIds.push(person.personId);
    }
    yield { household, members };
  }
}

function makeAddress(rng: Rng, country: CountryProfile): Address {
  return {
    line1: `${rng.int(1, 250)} ${rng.pick(Streets)}`,
    city: rng.pick(country.cities),
    postalCode:
      country.code === 'GB'
        ? `${rng.string(2, 'ABCDEFGHJKLMNPRSTW')}${rng.int(1, 20)} ${rng.int(1, 9)}${rng.string(2, 'ABDEFGHJLNPQRSTUWXYZ')}`
        : rng.digits(5),
    country: country.code,
  };
}

interface PersonSeed {
  personId: string;
  householdId: string;
  country: CountryProfile;
  lastName: string;
  address: Address;
  days: number;
  namespace?: string;
}

function makePerson(rng: Rng, registry: UniqueRegistry, seed: PersonSeed): Person {
  const firstName = rng.pick(FirstNames);
  const first = asciiSlug(firstName);
  const last = asciiSlug(seed.lastName);
  const makeEmail = (): string => {
    const domain = rng.chance(0.8) ? rng.pick(FreemailDomains) : rng.pick(WorkDomains);
    const local = rng.weighted<string>([
      [`${first}.${last}`, 4],
      [`${first}${last}`, 2],
      [`${first[0]}.${last}`, 2],
      [`${first}_${last}${rng.int(1, 99)}`, 1],
      [`${first}${rng.int(1960, 2005)}`, 2],
    ]);
    return `${local}${seed.namespace ? `.${seed.namespace}` : ''}@${domain}`;
  };
  const emails = [{ address: registry.claim(makeEmail, mailboxKey), sinceDay: 0 }];
  if (rng.chance(0.12)) {
    emails.push({
      address: registry.claim(makeEmail, mailboxKey),
      sinceDay: rng.int(Math.floor(seed.days / 3), Math.floor((2 * seed.days) / 3)),
    });
  }
  const mobile: Phone | undefined = rng.chance(0.75)
    ? registry.claim(
        () => makePhone(rng, seed.country, 'mobile'),
        (p) => p.e164,
      )
    : undefined;
  const addresses = [{ address: seed.address, sinceDay: 0 }];
  if (rng.chance(0.08)) {
    addresses.push({
      address: makeAddress(rng, seed.country),
      sinceDay: rng.int(Math.floor(seed.days / 2), seed.days - 1),
    });
  }
  const devices: Device[] = [];
  const deviceCount = rng.weighted([
    [1, 3],
    [2, 4],
    [3, 2],
  ] as const);
  for (let i = 0; i < deviceCount; i++) {
    const kind = rng.weighted<Device['kind']>([
      ['desktop', 3],
      ['phone', 4],
      ['tablet', 1],
    ]);
    devices.push({
      anonymousId: rng.uuid(),
      kind,
      surface: kind === 'phone' && rng.chance(0.5) ? 'app' : 'web',
      shared: false,
    });
  }
  const person: Person = {
    personId: seed.personId,
    householdId: seed.householdId,
    firstName,
    lastName: seed.lastName,
    country: seed.country.code,
    emails,
    addresses,
    devices,
    cardTokens: [],
    givesJunk: rng.chance(0.1),
    unsubscribes: rng.chance(0.15),
  };
  if (mobile) person.mobile = mobile;
  if (rng.chance(0.7))
    person.userId = registry.claim(
      () => `usr_${seed.namespace ? `${seed.namespace}_` : ''}${rng.string(12)}`,
      (v) => v,
    );
  if (rng.chance(0.45))
    person.loyaltyId = registry.claim(
      () => `LOY${seed.namespace ? `${seed.namespace.toUpperCase()}-` : ''}${rng.digits(9)}`,
      (v) => v,
    );
  const cards = rng.weighted([
    [0, 2],
    [1, 5],
    [2, 2],
  ] as const);
  for (let i = 0; i < cards; i++)
    person.cardTokens.push(
      registry.claim(
        () => `tok_${rng.string(16)}`,
        (v) => v,
      ),
    );
  if (rng.chance(0.5))
    person.shopifyCustomerId = registry.claim(
      () => String(rng.int(6_000_000_000, 7_999_999_999)) + rng.digits(3),
      (v) => v,
    );
  if (rng.chance(0.35))
    person.crmContactId = registry.claim(
      () => `003${rng.string(15, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}`,
      (v) => v,
    );
  if (rng.chance(0.3)) {
    const network = rng.pick(SocialNetworks);
    person.social = {
      network,
      id: registry.claim(
        () => rng.digits(16),
        (v) => `${network}:${v}`,
      ),
      handle: registry.claim(
        () => `${rng.chance(0.3) ? '@' : ''}${first}${last.slice(0, 3)}${rng.int(1, 9999)}`,
        (h) => `${network}@${h.replace(/^@+/, '').toLowerCase()}`,
      ),
    };
  }
  return person;
}

/** The email a person uses on a given day (the latest one already current). */
export function emailOn(person: Person, day: number): string {
  let current = person.emails[0]!.address;
  for (const e of person.emails) if (e.sinceDay <= day) current = e.address;
  return current;
}

export function addressOn(person: Person, day: number): Address {
  let current = person.addresses[0]!.address;
  for (const a of person.addresses) if (a.sinceDay <= day) current = a.address;
  return current;
}
