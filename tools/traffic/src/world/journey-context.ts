import type { Built, Ident } from '../payloads/ident';
import type { Household, Person, Route } from './model';
import { canonicalEmail, emailVariant, formatPhone, type Phone, type PhoneFormat } from './noise';
import type { Rng } from './rng';
import { JunkEmails, JunkPhones } from './vocabulary';

/** A message before the world is put in time order and numbered. */
export interface Draft {
  atMs: number;
  personId: string;
  route: Route;
  kind: string;
  id: string;
  built: Built;
}

const DAY_MS = 86_400_000;

/** What every channel's journey needs: the person, their household, a private random stream and the output. */
export class JourneyContext {
  private order = 0;
  readonly drafts: Draft[] = [];

  constructor(
    readonly rng: Rng,
    readonly person: Person,
    readonly household: Household,
    private readonly startMs: number,
    readonly days: number,
    /** Region of the tills (the POS source's default region); null: tills take international numbers only. */
    private readonly tillRegion: string | null = null,
  ) {}

  /**
   * How a phone is typed at a till: in the local format when the customer's number is from the
   * till's region (the platform reads it with the source's region), internationally otherwise.
   */
  tillFormats(phone: Phone, local: PhoneFormat[]): PhoneFormat[] {
    return this.tillRegion !== null && phone.country === this.tillRegion ? local : ['international', 'e164'];
  }

  /** A moment on a given day, during waking hours, in ms since the epoch. */
  time(day: number, hour = this.rng.int(7, 22), minute = this.rng.int(0, 59)): number {
    return this.startMs + day * DAY_MS + hour * 3_600_000 + minute * 60_000 + this.rng.int(0, 59_999);
  }

  randomDay(from = 0, to = this.days - 1): number {
    return this.rng.int(Math.max(0, from), Math.max(Math.max(0, from), Math.min(this.days - 1, to)));
  }

  emit(atMs: number, route: Route, kind: string, id: string, built: Built): void {
    // `order` keeps a person's own messages in causal order when two fall in the same millisecond
    this.drafts.push({
      atMs: atMs + this.order++ / 1000,
      personId: this.person.personId,
      route,
      kind,
      id,
      built,
    });
  }

  email(address: string): Ident {
    const { value } = emailVariant(this.rng, address);
    return { raw: value, value: canonicalEmail(value), owner: 'person' };
  }

  exactEmail(address: string): Ident {
    return { raw: address, value: canonicalEmail(address), owner: 'person' };
  }

  phone(phone: Phone, formats: PhoneFormat[]): Ident {
    return { raw: formatPhone(phone, this.rng.pick(formats)), value: phone.e164, owner: 'person' };
  }

  landline(formats: PhoneFormat[]): Ident | undefined {
    const landline = this.household.landline;
    if (!landline) return undefined;
    return {
      raw: formatPhone(landline, this.rng.pick(formats)),
      value: landline.e164,
      owner: 'shared',
      sharedBy: [...this.household.memberIds],
    };
  }

  junkPhone(): Ident {
    const raw = this.rng.pick(JunkPhones);
    return { raw, value: raw, owner: 'junk' };
  }

  junkEmail(): Ident {
    const raw = this.rng.pick(JunkEmails);
    return { raw, value: canonicalEmail(raw), owner: 'junk' };
  }

  id(value: string): Ident {
    return { raw: value, value, owner: 'person' };
  }

  iso(ms: number): string {
    return new Date(Math.floor(ms)).toISOString();
  }
}
