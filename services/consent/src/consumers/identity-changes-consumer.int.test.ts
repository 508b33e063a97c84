import { uuidv7 } from '@tessera/contracts';
import { waitFor } from '@tessera/testkit';
import { createConsentHarness } from '../test-support/consent-harness';
import type { ConsentHarness } from '../test-support/consent-harness';
import { createIdentityChangesConsumer } from './identity-changes-consumer';

const SURVIVOR = '01890000-0000-7000-8000-00000000f001';
const ABSORBED = '01890000-0000-7000-8000-00000000f002';
const SPLIT_OFF = '01890000-0000-7000-8000-00000000f003';

describe('identity changes consumer', () => {
  let h: ConsentHarness;
  beforeAll(async () => {
    h = await createConsentHarness({ kafka: true });
  });
  afterAll(() => h.close());

  it('identity changes consumer should make consent follow a merge (stricter wins) and a split (state kept)', async () => {
    const core = h.newCore();
    const at = new Date('2026-01-01T00:00:00Z');
    await core.consent.record(
      [
        {
          recordId: uuidv7(),
          subject: { profileId: SURVIVOR },
          purpose: 'email_marketing',
          status: 'granted',
          source: 'web',
          effectiveAt: at,
        },
        {
          recordId: uuidv7(),
          subject: { profileId: SURVIVOR },
          purpose: 'analytics',
          status: 'granted',
          source: 'web',
          effectiveAt: at,
        },
        {
          recordId: uuidv7(),
          subject: { profileId: ABSORBED },
          purpose: 'email_marketing',
          status: 'withdrawn',
          source: 'esp',
          effectiveAt: at,
        },
      ],
      'test',
    );
    const consumer = createIdentityChangesConsumer({
      kafka: h.kafka!.kafka,
      pool: h.pool,
      consent: core.consent,
      relay: core.relay,
      groupId: 'consent-identity',
    });
    await consumer.start();
    try {
      const merge = {
        schemaVersion: 1 as const,
        kind: 'merge' as const,
        changeId: uuidv7(),
        survivorId: SURVIVOR,
        absorbedId: ABSORBED,
        linkingIdentifier: { type: 'email', hash: 'bbbbbbbbbbbbbbbbbbbbbb' },
        rule: 'email',
        at: '2026-02-01T00:00:00Z',
      };
      // Delivered twice: the second is a no-op (idempotency key per change and purpose).
      await h.producer!.publish('identityChanges', [merge, merge]);
      const merged = await waitFor(
        async () => {
          const s = await core.consent.current({ profileId: SURVIVOR }, { history: true });
          return s.purposes.email_marketing?.status === 'withdrawn' ? s : undefined;
        },
        { timeoutMs: 20_000, message: 'merge not applied' },
      );
      expect(merged.purposes.analytics?.status).toBe('granted');
      expect(merged.records?.filter((r) => r.reason?.startsWith('merge'))).toHaveLength(1);

      await h.producer!.publish('identityChanges', [
        {
          schemaVersion: 1,
          kind: 'split',
          changeId: uuidv7(),
          profileId: SURVIVOR,
          components: [
            { profileId: SURVIVOR, identifiers: [] },
            { profileId: SPLIT_OFF, identifiers: [] },
          ],
          removedIdentifier: { type: 'email', hash: 'bbbbbbbbbbbbbbbbbbbbbb' },
          reason: 'wrong merge',
          actor: 'cli:ops',
          at: '2026-03-01T00:00:00Z',
        },
      ]);
      const split = await waitFor(
        async () => {
          const s = await core.consent.current({ profileId: SPLIT_OFF });
          return s.purposes.analytics?.status === 'granted' ? s : undefined;
        },
        { timeoutMs: 20_000, message: 'split not applied' },
      );
      expect(split.purposes.email_marketing?.status).toBe('withdrawn');
    } finally {
      await consumer.stop();
    }
  });
});
