import type { Person, TruthRecord } from '../world/model';
import { renderCustomer } from './render-customer';

const person: Person = {
  personId: 'p-000001',
  householdId: 'h-00001',
  firstName: 'Ada',
  lastName: 'Lovelace',
  country: 'GB',
  emails: [{ address: 'ada@x.com', sinceDay: 0 }],
  addresses: [],
  devices: [],
  cardTokens: [],
  givesJunk: true,
  unsubscribes: false,
};
const records: TruthRecord[] = [
  {
    id: 'm1',
    seq: 0,
    route: 'web',
    personId: 'p-000001',
    kind: 'identify',
    at: '2026-09-01T00:00:00.000Z',
    events: 1,
    identifiers: [
      { type: 'user_id', raw: 'u1', value: 'u1', owner: 'person' },
      { type: 'email', raw: ' Ada@X.com', value: 'ada@x.com', owner: 'person' },
    ],
  },
  {
    id: 'T1',
    seq: 1,
    route: 'pos',
    personId: 'p-000001',
    kind: 'transaction',
    at: '2026-09-02T00:00:00.000Z',
    events: 1,
    identifiers: [
      { type: 'email', raw: 'ada@x.com', value: 'ada@x.com', owner: 'person' },
      { type: 'phone', raw: '0000000000', value: '0000000000', owner: 'junk' },
    ],
  },
];
const clustering = new Map([
  ['user_id:u1', 'P1'],
  ['email:ada@x.com', 'P1'],
]);

describe('renderCustomer', () => {
  it('renderCustomer should show raw touchpoints, where each identifier landed, the merge rule and the refusal with its raw value', () => {
    const history = {
      merges: [
        {
          linkingIdentifier: { type: 'email', hash: 'h' },
          rule: 'deterministic:email',
          at: '2026-09-02T00:00:01.000Z',
          triggeringEvent: { messageId: 'T1' },
        },
      ],
      decisions: [
        {
          messageId: 'T1',
          identifier: { type: 'phone', hash: 'h2' },
          outcome: 'refused_blocklist',
          rule: 'blocklist:phone',
          detail: 'placeholder value',
        },
      ],
      quarantined: [],
    };
    const text = renderCustomer(
      'Gave junk',
      person,
      records,
      clustering,
      {
        profileId: 'P1',
        profile: { id: 'P1', traits: { firstName: 'Ada' }, computed: { orderCount: 1 } },
        identities: { identities: [{ type: 'email', value: 'ada@x.com' }] },
        history,
        consent: { purposes: { email_marketing: 'granted' } },
      },
      new Map(records.map((r) => [r.id, r])),
    ).join('\n');
    expect(text).toContain('Ada Lovelace (p-000001');
    expect(text).toMatch(/pos\s+1 {2}transaction ×1/);
    expect(text).toContain('" Ada@X.com" "ada@x.com"  →  ada@x.com  →  this profile');
    expect(text).toContain('"0000000000" (junk)  →  0000000000  →  not linked');
    expect(text).toContain('traits.firstName = Ada');
    expect(text).toContain(
      'linked through email by rule "deterministic:email" — by pos transaction carrying "ada@x.com"',
    );
    expect(text).toContain(
      'phone "0000000000" from pos transaction: refused_blocklist (blocklist:phone) placeholder value',
    );
    expect(text).toContain('purposes.email_marketing = granted');
  });
});
