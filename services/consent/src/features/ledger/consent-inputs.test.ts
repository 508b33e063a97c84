import type { ResolvedEventV1 } from '@tessera/contracts';
import { recordsFromIdentityChange, recordsFromResolvedEvent } from './consent-inputs';

const profileId = '01890000-0000-7000-8000-000000000001';
function resolved(over: Partial<ResolvedEventV1['event']>): ResolvedEventV1 {
  return {
    schemaVersion: 1,
    profileId,
    newProfile: false,
    decisions: [],
    identifierHashes: [],
    resolvedAt: '2026-01-01T00:00:01Z',
    event: {
      schemaVersion: 1,
      eventId: '01890000-0000-7000-8000-0000000000e1',
      messageId: 'm1',
      sourceId: 'esp',
      channel: 'email',
      type: 'track',
      event: 'Unsubscribed',
      identifiers: [{ type: 'email', value: 'a@example.com' }],
      traits: {},
      properties: {},
      context: {},
      timestamp: '2026-01-01T00:00:00Z',
      receivedAt: '2026-01-01T00:00:00Z',
      consentSignals: [],
      ...over,
    },
  };
}

describe('recordsFromResolvedEvent', () => {
  it('recordsFromResolvedEvent should turn an ESP unsubscribe into an idempotent withdrawal', () => {
    const [record, ...rest] = recordsFromResolvedEvent(
      resolved({
        consentSignals: [{ purpose: 'email_marketing', status: 'withdrawn', reason: 'esp_unsubscribe' }],
      }),
    );
    expect(rest).toEqual([]);
    expect(record).toMatchObject({
      subject: { profileId },
      purpose: 'email_marketing',
      status: 'withdrawn',
      idempotencyKey: 'event:01890000-0000-7000-8000-0000000000e1:email_marketing',
    });
    expect(record!.effectiveAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('recordsFromResolvedEvent should opt out of sale/sharing on GPC once', () => {
    expect(
      recordsFromResolvedEvent(resolved({ gpc: true })).map((r) => [r.purpose, r.status, r.reason]),
    ).toEqual([['sale_sharing', 'denied', 'gpc']]);
    const both = recordsFromResolvedEvent(
      resolved({ gpc: true, consentSignals: [{ purpose: 'sale_sharing', status: 'denied', reason: 'gpc' }] }),
    );
    expect(both).toHaveLength(1);
  });
});

describe('recordsFromIdentityChange', () => {
  const other = '01890000-0000-7000-8000-000000000002';
  const states: Record<string, Record<string, 'granted' | 'withdrawn' | 'unknown'>> = {
    [profileId]: { email_marketing: 'granted' },
    [other]: { email_marketing: 'withdrawn', sms_marketing: 'granted' },
  };

  it('recordsFromIdentityChange should record the stricter state on the survivor of a merge', () => {
    const records = recordsFromIdentityChange(
      {
        schemaVersion: 1,
        kind: 'merge',
        changeId: '01890000-0000-7000-8000-0000000000c1',
        survivorId: profileId,
        absorbedId: other,
        linkingIdentifier: { type: 'email', hash: 'aaaaaaaaaaaaaaaaaaaaaa' },
        rule: 'email',
        at: '2026-01-02T00:00:00Z',
      },
      (id) => states[id] ?? {},
    );
    expect(records.map((r) => [r.subject.profileId, r.purpose, r.status])).toEqual([
      [profileId, 'email_marketing', 'withdrawn'],
      [profileId, 'sms_marketing', 'granted'],
    ]);
    expect(records.every((r) => r.reason?.startsWith('merge'))).toBe(true);
  });

  it('recordsFromIdentityChange should give split components the pre-split state', () => {
    const records = recordsFromIdentityChange(
      {
        schemaVersion: 1,
        kind: 'split',
        changeId: '01890000-0000-7000-8000-0000000000c2',
        profileId: other,
        components: [
          { profileId: other, identifiers: [] },
          { profileId, identifiers: [] },
        ],
        removedIdentifier: { type: 'email', hash: 'aaaaaaaaaaaaaaaaaaaaaa' },
        reason: 'wrong merge',
        actor: 'cli:ops',
        at: '2026-01-02T00:00:00Z',
      },
      (id) => states[id] ?? {},
    );
    expect(records.map((r) => [r.subject.profileId, r.purpose, r.status])).toEqual([
      [profileId, 'email_marketing', 'withdrawn'],
      [profileId, 'sms_marketing', 'granted'],
    ]);
  });
});
