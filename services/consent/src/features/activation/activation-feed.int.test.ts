import { uuidv7 } from '@tessera/contracts';
import type { ProfileUpdateV1, ResolvedEventV1 } from '@tessera/contracts';
import { collectMessages, waitFor } from '@tessera/testkit';
import type { BatchConsumer } from '@tessera/kafka';
import type { ConsentCore } from '../../consent-core';
import { createEventsResolvedConsumer } from '../../consumers/events-resolved-consumer';
import { createProfileUpdatesConsumer } from '../../consumers/profile-updates-consumer';
import { createConsentHarness } from '../../test-support/consent-harness';
import type { ConsentHarness } from '../../test-support/consent-harness';
import { activationTopics } from './destinations';

const P = '01890000-0000-7000-8000-00000000e001';

function profileUpdate(version: number): ProfileUpdateV1 {
  return {
    schemaVersion: 1,
    profileId: P,
    version,
    kind: 'upsert',
    traits: { email: 'sam@example.com', phone: '+15550100', firstName: 'Sam', country: 'US' },
    computed: { orderCount: 3, clv: 250 },
    changed: ['email'],
    consent: {},
    updatedAt: new Date().toISOString(),
  };
}

function resolvedEvent(over: Partial<ResolvedEventV1['event']>): ResolvedEventV1 {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    profileId: P,
    newProfile: false,
    decisions: [],
    identifierHashes: [{ type: 'email', hash: 'aaaaaaaaaaaaaaaaaaaaaa' }],
    resolvedAt: now,
    event: {
      schemaVersion: 1,
      eventId: uuidv7(),
      messageId: uuidv7(),
      sourceId: 'esp',
      channel: 'email',
      type: 'track',
      event: 'Unsubscribed',
      identifiers: [{ type: 'email', value: 'sam@example.com' }],
      traits: {},
      properties: {},
      context: {},
      timestamp: now,
      receivedAt: now,
      consentSignals: [],
      ...over,
    },
  };
}

describe('activation feeds', () => {
  let h: ConsentHarness;
  let core: ConsentCore;
  let consumers: BatchConsumer[];

  beforeAll(async () => {
    h = await createConsentHarness({ kafka: true });
    core = h.newCore();
    await h.kafka!.kafka.admin().ensureTopics([], activationTopics(core.destinations, h.kafka!.prefix, 1));
    consumers = [
      createProfileUpdatesConsumer({
        kafka: h.kafka!.kafka,
        activation: core.activation,
        relay: core.relay,
        groupId: 'consent-activation',
      }),
      createEventsResolvedConsumer({
        kafka: h.kafka!.kafka,
        pool: h.pool,
        consent: core.consent,
        relay: core.relay,
        groupId: 'consent-events',
      }),
    ];
    for (const c of consumers) await c.start();
  });
  afterAll(async () => {
    for (const c of consumers) await c.stop();
    await h.close();
  });

  const feed = (destination: string) =>
    h.rawPublished.filter((m) => m.topic === `${h.kafka!.prefix}tessera.activation.${destination}.v1`);

  it('an ESP unsubscribe should withdraw email consent and remove the profile from the email feed', async () => {
    await core.consent.record(
      [
        {
          recordId: uuidv7(),
          subject: { profileId: P },
          purpose: 'email_marketing',
          status: 'granted',
          source: 'web',
          effectiveAt: new Date(Date.now() - 60_000),
        },
        {
          recordId: uuidv7(),
          subject: { profileId: P },
          purpose: 'advertising',
          status: 'granted',
          source: 'web',
          effectiveAt: new Date(Date.now() - 60_000),
        },
      ],
      'test',
    );
    await h.producer!.publish('profileUpdates', [profileUpdate(1)]);
    const added = await waitFor(async () => feed('email').find((m) => m.key === P && m.value !== null), {
      timeoutMs: 20_000,
      message: 'profile never reached the email feed',
    });
    const record = JSON.parse(String(added.value)) as {
      traits: Record<string, unknown>;
      computed: Record<string, unknown>;
      consent: Record<string, string>;
    };
    // Only allowed traits: the email feed never sees the phone, country or CLV.
    expect(record.traits).toEqual({ email: 'sam@example.com', firstName: 'Sam' });
    expect(record.computed).toEqual({ orderCount: 3 });
    expect(record.consent).toEqual({ email_marketing: 'granted' });
    expect(feed('sms')).toEqual([]);
    // Feeds are published independently: the ads entry may land a moment after the email one.
    await waitFor(async () => feed('ads').some((m) => m.key === P && m.value !== null), {
      timeoutMs: 20_000,
      message: 'profile never reached the ads feed',
    });
    expect(feed('ads').filter((m) => m.value !== null)).toHaveLength(1);

    await h.producer!.publish('eventsResolved', [
      resolvedEvent({
        consentSignals: [{ purpose: 'email_marketing', status: 'withdrawn', reason: 'esp_unsubscribe' }],
      }),
    ]);
    await waitFor(async () => feed('email').some((m) => m.key === P && m.value === null), {
      timeoutMs: 20_000,
      message: 'no tombstone on the email feed',
    });
    expect((await core.consent.current({ profileId: P })).purposes.email_marketing?.status).toBe('withdrawn');
    const changes = await collectMessages(h.kafka!.kafka, 'consentChanges', {
      until: (ms) => ms.some((m) => m.value?.purpose === 'email_marketing' && m.value.status === 'withdrawn'),
    });
    expect(changes.find((m) => m.value?.status === 'withdrawn')?.value).toMatchObject({
      subject: { profileId: P },
      previousStatus: 'granted',
      reason: 'esp_unsubscribe',
    });

    // A later profile update keeps the profile out of the email feed.
    const before = feed('email').length;
    await h.producer!.publish('profileUpdates', [profileUpdate(2)]);
    await waitFor(
      async () =>
        (
          await h.pool.query(
            "SELECT 1 FROM activation_members WHERE destination = 'personalization' AND version = 2",
          )
        ).rowCount === 1,
      { timeoutMs: 20_000 },
    );
    expect(
      feed('email')
        .slice(before)
        .filter((m) => m.value !== null),
    ).toEqual([]);
  });

  it('a GPC signal should opt the profile out of sale/sharing and remove it from the ads feed', async () => {
    await h.producer!.publish('eventsResolved', [
      resolvedEvent({ type: 'page', event: undefined, sourceId: 'web', channel: 'web', gpc: true }),
    ]);
    await waitFor(async () => feed('ads').some((m) => m.key === P && m.value === null), {
      timeoutMs: 20_000,
      message: 'no tombstone on the ads feed',
    });
    const state = await core.consent.current({ profileId: P }, { history: true });
    expect(state.purposes.sale_sharing?.status).toBe('denied');
    expect(state.records?.find((r) => r.purpose === 'sale_sharing')).toMatchObject({
      reason: 'gpc',
      source: 'event:web',
    });
  });
  it('a record kept for an identifier should carry over to the profile the identifier resolves to', async () => {
    const identifier = { type: 'email', hash: 'cccccccccccccccccccccc' };
    await core.consent.record(
      [
        {
          recordId: uuidv7(),
          subject: { identifier },
          purpose: 'sms_marketing',
          status: 'withdrawn',
          source: 'esp-import',
          effectiveAt: new Date(Date.now() - 1000),
        },
      ],
      'test',
    );
    const event = resolvedEvent({ type: 'page', event: undefined, sourceId: 'web', channel: 'web' });
    await h.producer!.publish('eventsResolved', [
      { ...event, identifierHashes: [identifier] },
      { ...event, identifierHashes: [identifier] },
    ]);
    const state = await waitFor(
      async () => {
        const s = await core.consent.current({ profileId: P }, { history: true });
        return s.purposes.sms_marketing?.status === 'withdrawn' ? s : undefined;
      },
      { timeoutMs: 20_000, message: 'identifier record not carried over' },
    );
    expect(state.records?.filter((r) => r.purpose === 'sms_marketing')).toEqual([
      expect.objectContaining({ source: 'esp-import', reason: 'carried over from identifier email' }),
    ]);
  });
});
