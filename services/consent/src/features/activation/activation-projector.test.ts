import type { ProfileUpdateV1 } from '@tessera/contracts';
import { projectForDestination } from './activation-projector';

const email = {
  name: 'email',
  requiredPurposes: ['email_marketing'],
  allowedTraits: ['email', 'orderCount'],
};
const ads = { name: 'ads', requiredPurposes: ['advertising', 'sale_sharing'], allowedTraits: ['country'] };
const optOut = new Set(['sale_sharing']);
const update: ProfileUpdateV1 = {
  schemaVersion: 1,
  profileId: '01890000-0000-7000-8000-000000000001',
  version: 3,
  kind: 'upsert',
  traits: { email: 'a@example.com', phone: '+15550100', country: 'US' },
  computed: { orderCount: 2, clv: 120 },
  changed: ['email'],
  consent: { email_marketing: 'granted' },
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('projectForDestination', () => {
  it('projectForDestination should keep only allowed traits for a consenting profile', () => {
    const p = projectForDestination(email, update, { email_marketing: 'granted' }, optOut);
    expect(p).toEqual({
      action: 'upsert',
      record: expect.objectContaining({
        traits: { email: 'a@example.com' },
        computed: { orderCount: 2 },
        consent: { email_marketing: 'granted' },
      }),
    });
  });

  it('projectForDestination should remove a profile whose consent is withdrawn, unknown or deleted', () => {
    expect(projectForDestination(email, update, { email_marketing: 'withdrawn' }, optOut)).toEqual({
      action: 'remove',
    });
    expect(projectForDestination(email, update, {}, optOut)).toEqual({ action: 'remove' });
    expect(
      projectForDestination(email, { ...update, kind: 'deleted' }, { email_marketing: 'granted' }, optOut),
    ).toEqual({ action: 'remove' });
  });

  it('projectForDestination should treat sale/sharing as opt-out and honour a GPC denial', () => {
    expect(projectForDestination(ads, update, { advertising: 'granted' }, optOut).action).toBe('upsert');
    expect(
      projectForDestination(ads, update, { advertising: 'granted', sale_sharing: 'denied' }, optOut).action,
    ).toBe('remove');
  });
});
