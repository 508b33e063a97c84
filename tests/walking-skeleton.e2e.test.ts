import { collectMessages, waitFor } from '@tessera/testkit';
import { basicAuth, getJson, startE2ePlatform, type E2ePlatform } from './support/e2e-platform';

/**
 * The walking skeleton, driven as a source system and a downstream consumer would: HTTP into
 * ingest, Kafka through identity and profile-store, the profile API and the change feed out.
 */
describe('walking skeleton', () => {
  let platform: E2ePlatform;

  beforeAll(async () => {
    platform = await startE2ePlatform();
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('a tracked event should become a profile found by lookup, on the change feed, with PII kept out of logs', async () => {
    const ingestUrl = platform.services.ingest.url;
    const post = (path: string, body: unknown) =>
      fetch(`${ingestUrl}${path}`, {
        method: 'POST',
        headers: { authorization: basicAuth(platform.writeKey), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // An anonymous visit on one device, then the same person identifies with their email.
    const anonymousId = `anon-${Date.now()}`;
    const page = await post('/v1/page', { anonymousId, name: 'Pricing', messageId: `m-page-${anonymousId}` });
    expect(page.status).toBe(200);
    const track = await post('/v1/track', {
      anonymousId,
      userId: `user-${anonymousId}`,
      event: 'Signed Up',
      messageId: `m-track-${anonymousId}`,
      properties: { plan: 'pro' },
      context: { traits: { email: '  Ada.Lovelace@Analytical-Engines.co.uk ' } },
    });
    expect(track.status).toBe(200);

    const lookupUrl = `${platform.services['profile-store'].url}/v1/profiles/lookup?type=email&value=${encodeURIComponent(
      'ada.lovelace@analytical-engines.co.uk',
    )}`;
    const profile = await waitFor(
      async () => {
        const res = await getJson(lookupUrl, platform.readKey);
        return res.status === 200 ? (res.body as { id: string }) : undefined;
      },
      { timeoutMs: 60_000, message: 'profile never appeared in the profile API' },
    );
    expect(profile.id).toMatch(/^[0-9a-f-]{36}$/);

    // The anonymous page view was stitched to the same person.
    const byAnonymous = await getJson(
      `${platform.services['profile-store'].url}/v1/profiles/lookup?type=anonymous_id&value=${anonymousId}`,
      platform.readKey,
    );
    expect(byAnonymous.status).toBe(200);
    expect((byAnonymous.body as { id: string }).id).toBe(profile.id);

    const events = await waitFor(
      async () => {
        const res = await getJson(
          `${platform.services['profile-store'].url}/v1/profiles/${profile.id}/events`,
          platform.readKey,
        );
        const items = (res.body as { events?: Array<{ messageId?: string }> }).events ?? [];
        return items.length >= 2 ? items : undefined;
      },
      { timeoutMs: 30_000, message: 'both events never reached the timeline' },
    );
    expect(events.map((e) => e.messageId).sort()).toEqual(
      [`m-page-${anonymousId}`, `m-track-${anonymousId}`].sort(),
    );

    const updates = await collectMessages(platform.kafka.kafka, 'profileUpdates', {
      until: (msgs) => msgs.some((m) => m.value?.profileId === profile.id),
      timeoutMs: 30_000,
    });
    const update = updates.find((m) => m.value?.profileId === profile.id);
    expect(update?.key).toBe(profile.id);

    // Consent service is up and healthy alongside.
    const consentHealth = await fetch(`${platform.services.consent.url}/healthz`);
    expect(consentHealth.status).toBe(200);

    expect(platform.logs().toLowerCase()).not.toContain('ada.lovelace');
  });

  it('a request with an unknown write key should be refused with 401 and the error shape', async () => {
    const res = await fetch(`${platform.services.ingest.url}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: basicAuth('tsk_unknownkey0000000_secret'),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: 'u', event: 'X' }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { code: string };
    expect(body.code).toBe('UNAUTHENTICATED');
  });
});
