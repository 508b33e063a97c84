import type { ProfileUpdateV1 } from '@tessera/contracts';
import { ProfileMirror } from './change-feed-mirror';

const msg = (over: Partial<ProfileUpdateV1>): ProfileUpdateV1 => ({
  schemaVersion: 1,
  profileId: '01a225f8-76c3-7325-a968-e8c5f1516ba4',
  version: 1,
  kind: 'upsert',
  traits: { email: 'a@example.com' },
  computed: {},
  changed: [],
  consent: { email_marketing: 'granted' },
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('ProfileMirror (example change-feed consumer)', () => {
  it('should drop redeliveries and older versions', () => {
    const m = new ProfileMirror();
    expect(m.apply('p', msg({ version: 2 }))).toBe('applied');
    expect(m.apply('p', msg({ version: 2, traits: { email: 'old@example.com' } }))).toBe('stale');
    expect(m.apply('p', msg({ version: 1 }))).toBe('stale');
    expect(m.get('p')?.traits.email).toBe('a@example.com');
  });

  it('should forget merged and erased profiles and never resurrect them from a redelivery', () => {
    const m = new ProfileMirror();
    m.apply('a', msg({ version: 1 }));
    m.apply('a', msg({ version: 2, kind: 'merged', mergedInto: '01a225f8-76c3-7325-a968-e8c5f1516ba5' }));
    expect(m.get('a')).toBeUndefined();
    m.apply('b', msg({ version: 3 }));
    expect(m.apply('b', msg({ version: 4, kind: 'deleted', traits: {} }))).toBe('erased');
    expect(m.apply('b', null)).toBe('erased');
    expect(m.apply('b', msg({ version: 3 }))).toBe('stale');
    expect(m.get('b')).toBeUndefined();
  });

  it('should build the email audience from explicit grants only', () => {
    const m = new ProfileMirror();
    m.apply('yes', msg({}));
    m.apply('no', msg({ consent: { email_marketing: 'withdrawn' } }));
    m.apply('unknown', msg({ consent: {} }));
    expect(m.emailAudience().map((p) => p.profileId)).toEqual(['yes']);
  });
});
