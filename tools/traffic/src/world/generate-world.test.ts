import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractIdentifiers } from './extract-identifiers';
import { generateWorld } from './generate-world';
import { IdTypes, type Person, type TruthIdentifier } from './model';
import { canonicalEmail, mailboxKey } from './noise';
import { JunkEmails, JunkPhones, Countries } from './vocabulary';
import { WorldFiles, writeWorld } from './world-io';

const world = generateWorld({ seed: 42, persons: 300 });
const persons = new Map(world.persons.map((p) => [p.personId, p]));
const households = new Map(world.households.map((h) => [h.householdId, h]));

/** An independent phone parser: digits, trunk prefix and the person's country as the default region. */
function parsePhone(raw: string, country: Person['country']): string {
  const dial = Countries.find((c) => c.code === country)!.dialCode;
  const digits = raw.replace(/[^\d+]/g, '');
  if (digits.startsWith('+')) return digits;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  if (country === 'US') return `+1${digits}`;
  return `+${dial}${digits.replace(/^0/, '')}`;
}

/** What a person truly owns, derived from the person record, not from the truth file. */
function owns(person: Person, id: TruthIdentifier): boolean {
  switch (id.type) {
    case IdTypes.userId:
      return person.userId === id.value;
    case IdTypes.anonymousId:
      return person.devices.some((d) => d.anonymousId === id.value);
    case IdTypes.email:
      return person.emails.some((e) => mailboxKey(e.address) === mailboxKey(id.value));
    case IdTypes.phone:
      return person.mobile?.e164 === id.value;
    case IdTypes.loyaltyId:
      return person.loyaltyId === id.value;
    case IdTypes.cardToken:
      return person.cardTokens.includes(id.value);
    case IdTypes.shopifyCustomerId:
      return person.shopifyCustomerId === id.value;
    case IdTypes.crmContactId:
      return person.crmContactId === id.value;
    default: {
      const social = person.social;
      if (!social) return false;
      if (id.type === IdTypes.socialId(social.network)) return social.id === id.value;
      return (
        id.type === IdTypes.socialHandle(social.network) &&
        social.handle.replace(/^@+/, '').toLowerCase() === id.value
      );
    }
  }
}

describe('generateWorld', () => {
  it('generateWorld should produce byte-identical files for the same seed and different ones for another seed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'traffic-'));
    try {
      await writeWorld(path.join(dir, 'a'), generateWorld({ seed: 7, persons: 60 }));
      await writeWorld(path.join(dir, 'b'), generateWorld({ seed: 7, persons: 60 }));
      await writeWorld(path.join(dir, 'c'), generateWorld({ seed: 8, persons: 60 }));
      for (const file of Object.values(WorldFiles)) {
        const a = await readFile(path.join(dir, 'a', file));
        expect(a.length).toBeGreaterThan(0);
        expect(a.equals(await readFile(path.join(dir, 'b', file)))).toBe(true);
      }
      const messagesA = await readFile(path.join(dir, 'a', WorldFiles.messages));
      expect(messagesA.equals(await readFile(path.join(dir, 'c', WorldFiles.messages)))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('generateWorld should write one truth line per message, in time order, with unique ids', () => {
    expect(world.truth).toHaveLength(world.messages.length);
    expect(new Set(world.messages.map((m) => m.id)).size).toBe(world.messages.length);
    const problems = world.messages.filter(
      (m, i) => m.seq !== i || world.truth[i]!.id !== m.id || (i > 0 && m.at < world.messages[i - 1]!.at),
    );
    expect(problems).toEqual([]);
  });

  it('generateWorld should carry in each payload exactly the identifiers its truth line lists', () => {
    const mismatches = world.messages.flatMap((m, i) => {
      const fromPayload = extractIdentifiers(m.route, m.body)
        .map((x) => `${x.type}=${x.raw}`)
        .sort();
      const fromTruth = world.truth[i]!.identifiers.map((x) => `${x.type}=${x.raw}`).sort();
      return fromPayload.join('|') === fromTruth.join('|') ? [] : [{ id: m.id, fromPayload, fromTruth }];
    });
    expect(mismatches).toEqual([]);
  });

  it('generateWorld should attribute every identifier to the person who owns it, flagging shared and junk ones', () => {
    const ownerOf = new Map<string, string>();
    const problems: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok) problems.push(what);
    };
    for (const t of world.truth) {
      const person = persons.get(t.personId)!;
      const household = households.get(person.householdId)!;
      for (const id of t.identifiers) {
        const where = `${t.id} ${id.type}`;
        if (id.type === IdTypes.email)
          check(id.value === canonicalEmail(id.raw), `${where}: email value is not the canonical raw`);
        if (id.type === IdTypes.phone && id.owner !== 'junk')
          check(
            id.value === parsePhone(id.raw, person.country),
            `${where}: phone does not parse to its value`,
          );
        if (id.owner === 'junk') {
          check(
            ([...JunkEmails, ...JunkPhones] as string[]).includes(id.value),
            `${where}: junk value not in the junk lists`,
          );
          continue;
        }
        if (id.owner === 'shared') {
          check(id.sharedBy?.includes(t.personId) === true, `${where}: shared but not by the sender`);
          check(
            [household.landline?.e164, household.sharedDevice?.anonymousId].includes(id.value),
            `${where}: shared but not the household's`,
          );
          continue;
        }
        check(owns(person, id), `${where}: not owned by ${t.personId}`);
        // no person-owned identifier (Gmail variants included) ever appears under another person
        const key = `${id.type}:${id.type === IdTypes.email ? mailboxKey(id.value) : id.value}`;
        check((ownerOf.get(key) ?? t.personId) === t.personId, `${where}: also sent for ${ownerOf.get(key)}`);
        ownerOf.set(key, t.personId);
      }
    }
    expect(problems).toEqual([]);
    expect(ownerOf.size).toBeGreaterThan(world.persons.length);
  });

  it('generateWorld should include the noise the issue asks for', () => {
    const all = world.truth.flatMap((t) => t.identifiers);
    const emails = all.filter((i) => i.type === IdTypes.email);
    expect(emails.some((e) => e.raw !== e.raw.trim())).toBe(true);
    expect(emails.some((e) => e.raw !== e.raw.toLowerCase())).toBe(true);
    expect(emails.some((e) => /\+[a-z]+@gmail\.com$/.test(e.value))).toBe(true);
    expect(all.some((i) => i.owner === 'junk' && i.type === IdTypes.phone)).toBe(true);
    expect(all.some((i) => i.owner === 'junk' && i.type === IdTypes.email)).toBe(true);
    expect(all.some((i) => i.owner === 'shared' && i.type === IdTypes.anonymousId)).toBe(true);
    expect(all.some((i) => i.owner === 'shared' && i.type === IdTypes.phone)).toBe(true);
    expect(all.some((i) => i.type === IdTypes.phone && !i.raw.startsWith('+'))).toBe(true);
    expect(world.persons.some((p) => p.emails.length > 1)).toBe(true);
    const routes = new Set(world.messages.map((m) => `${m.route}:${m.kind}`));
    for (const kind of [
      'web:page',
      'app:screen',
      'web:identify',
      'web:track',
      'shopify:orders/create',
      'pos:transaction',
      'social:lead',
      'social:interaction',
      'crm:contact.upsert',
    ]) {
      expect(routes).toContain(kind);
    }
    expect([...routes].some((r) => r.startsWith('sendgrid:') && r.includes('unsubscribe'))).toBe(true);
  });
});

describe('generateWorld namespace', () => {
  it('generateWorld should keep worlds with different namespaces free of shared emails and user ids', () => {
    const a = generateWorld({ seed: 1, persons: 80, namespace: 'a1' });
    const b = generateWorld({ seed: 1, persons: 80, namespace: 'b2' });
    const keys = (w: typeof a): Set<string> =>
      new Set(
        w.truth.flatMap((t) =>
          t.identifiers
            .filter(
              (i) =>
                i.owner === 'person' &&
                (i.type === IdTypes.email || i.type === IdTypes.userId || i.type === IdTypes.loyaltyId),
            )
            .map((i) => `${i.type}:${i.type === IdTypes.email ? mailboxKey(i.value) : i.value}`),
        ),
      );
    const inA = keys(a);
    expect([...keys(b)].filter((k) => inA.has(k))).toEqual([]);
    expect(() => generateWorld({ seed: 1, persons: 1, namespace: 'Bad Tag' })).toThrow(/namespace/);
  });
});
