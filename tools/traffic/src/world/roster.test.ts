import { SegmentBatchSchema } from '@tessera/contracts';
import { normalizeEmail, normalizePhone } from '@tessera/identifiers';
import { generateRoster, rosterPerson } from './roster';

interface Body {
  messageId: string;
  userId: string;
  anonymousId: string;
  traits: { email: string; phone?: string };
}
const bodies = (opts: Parameters<typeof generateRoster>[0]): Body[] =>
  [...generateRoster(opts)].map((m) => m.body as Body);

describe('generateRoster', () => {
  it('roster should give every person their own user id, email, phone and device', () => {
    const people = bodies({ seed: 7, namespace: 'r1', count: 5000 });
    for (const field of ['messageId', 'userId', 'anonymousId'] as const)
      expect(new Set(people.map((p) => p[field])).size).toBe(5000);
    expect(new Set(people.map((p) => p.traits.email.toLowerCase())).size).toBe(5000);
    const phones = people.flatMap((p) => (p.traits.phone ? [p.traits.phone] : []));
    expect(phones.length).toBeGreaterThan(3300);
    expect(new Set(phones).size).toBe(phones.length);
    // ingest drops invalid values with a warning: every roster value must survive its normalizers
    for (const phone of phones) expect(normalizePhone(phone)).toBe(phone);
    for (const p of people) expect(() => normalizeEmail(p.traits.email)).not.toThrow();
  });

  it('roster should produce the same person for the same index whatever the range', () => {
    const whole = [...generateRoster({ seed: 7, namespace: 'r1', count: 40 })];
    const tail = [...generateRoster({ seed: 7, namespace: 'r1', from: 30, count: 10 })];
    expect(tail).toEqual(whole.slice(30));
    const other = rosterPerson(8, 'r1', 30, 0).body as Body;
    expect(other.anonymousId).not.toBe((whole[30]!.body as Body).anonymousId);
  });

  it('roster messages should pass the Segment batch contract', () => {
    const batch = [...generateRoster({ seed: 1, namespace: 'r2', count: 200 })].map((m) => m.body);
    expect(SegmentBatchSchema.safeParse({ batch }).success).toBe(true);
  });
});
