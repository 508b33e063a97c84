import pg from 'pg';
import Redis from 'ioredis';
import { collectMessages, waitFor } from '@tessera/testkit';
import { basicAuth, getJson, startE2ePlatform, type E2ePlatform } from './support/e2e-platform';

/**
 * Consent and erasure across the real services: an ESP unsubscribe withdraws email consent, an
 * erasure request removes the person from every store and the change feed, verification reports
 * zero residue, an independent scan agrees, and the person's next event is suppressed at the door.
 */
describe('privacy across services', () => {
  let platform: E2ePlatform;
  const email = `grace.hopper.${Date.now()}@hopper-family.net`;
  const phone = '+14155550199';

  beforeAll(async () => {
    platform = await startE2ePlatform();
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  const ingest = (path: string, body: unknown) =>
    fetch(`${platform.services.ingest.url}${path}`, {
      method: 'POST',
      headers: { authorization: basicAuth(platform.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const lookup = (type: string, value: string) =>
    getJson(
      `${platform.services['profile-store'].url}/v1/profiles/lookup?type=${type}&value=${encodeURIComponent(value)}`,
      platform.readKey,
    );

  it('an ESP unsubscribe should withdraw email consent, access should export everything, and erasure should leave zero residue and suppress re-ingest', async () => {
    // A browsing session before sign-up, the sign-up itself, then the session linked to the account:
    // two profiles that identity merges.
    const anonymousId = `anon-${Date.now()}`;
    const userId = `crm-${Date.now()}`;
    expect(
      (await ingest('/v1/page', { anonymousId, name: 'Careers', messageId: `m-page-${email}` })).status,
    ).toBe(200);
    await waitFor(
      async () => ((await lookup('anonymous_id', anonymousId)).status === 200 ? true : undefined),
      {
        timeoutMs: 60_000,
        message: 'anonymous profile never appeared',
      },
    );
    const identify = await ingest('/v1/identify', {
      userId,
      messageId: `m-identify-${email}`,
      traits: { email, phone, firstName: 'Grace', lastName: 'Hopper' },
    });
    expect(identify.status).toBe(200);
    await waitFor(async () => ((await lookup('email', email)).status === 200 ? true : undefined), {
      timeoutMs: 60_000,
      message: 'known profile never appeared',
    });
    const link = await ingest('/v1/track', {
      anonymousId,
      userId,
      event: 'Logged In',
      messageId: `m-login-${email}`,
    });
    expect(link.status).toBe(200);
    const profile = await waitFor(
      async () => {
        const [byEmail, byAnonymous] = await Promise.all([
          lookup('email', email),
          lookup('anonymous_id', anonymousId),
        ]);
        const a = byEmail.body as { id?: string };
        const b = byAnonymous.body as { id?: string };
        return byEmail.status === 200 && a.id !== undefined && a.id === b.id ? { id: a.id } : undefined;
      },
      { timeoutMs: 60_000, message: 'the session was never merged into the account' },
    );

    const unsubscribe = await ingest('/v1/connectors/sendgrid', [
      {
        email,
        timestamp: Math.floor(Date.now() / 1000),
        event: 'unsubscribe',
        sg_event_id: `evt-${Date.now()}`,
        sg_message_id: `sg-${Date.now()}.filter0001`,
      },
    ]);
    const unsubscribeBody = await unsubscribe.text();
    expect(unsubscribe.status).toBe(200);
    let lastConsent: unknown;
    await waitFor(
      async () => {
        const res = await getJson(
          `${platform.services.consent.url}/v1/consent/${profile.id}`,
          platform.readKey,
        );
        lastConsent = res.body;
        const purposes = (res.body as { purposes?: Record<string, { status: string }> }).purposes ?? {};
        return purposes.email_marketing?.status === 'withdrawn' ? true : undefined;
      },
      { timeoutMs: 60_000, message: 'email consent was never withdrawn' },
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}; last consent state: ${JSON.stringify(lastConsent)}; ${unsubscribeBody}`,
      );
    });

    // Access: the machine-readable bundle holds everything the test put in.
    const dsr = (body: unknown) =>
      fetch(`${platform.services.consent.url}/v1/dsr`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const accessRequest = await dsr({
      kind: 'access',
      jurisdiction: 'ccpa',
      subject: { identifiers: [{ type: 'email', value: email }] },
    });
    expect(accessRequest.status).toBe(202);
    const accessId = ((await accessRequest.json()) as { requestId: string }).requestId;
    await waitFor(
      async () => {
        const res = await getJson(`${platform.services.consent.url}/v1/dsr/${accessId}`, platform.adminKey);
        const status = (res.body as { status: string }).status;
        if (status === 'failed') throw new Error(`access request failed: ${JSON.stringify(res.body)}`);
        return status === 'completed' ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'access request never completed' },
    );
    const bundle = await getJson(
      `${platform.services.consent.url}/v1/dsr/${accessId}/export`,
      platform.adminKey,
    );
    expect(bundle.status).toBe(200);
    const text = JSON.stringify(bundle.body);
    for (const piece of [email, phone, 'Grace', 'Hopper', anonymousId, userId, profile.id])
      expect(text).toContain(piece);
    for (const messageId of [`m-page-${email}`, `m-identify-${email}`, `m-login-${email}`])
      expect(text).toContain(messageId);
    const body = bundle.body as {
      format: string;
      consents: Array<{ records: Array<{ purpose: string; status: string }> }>;
      identityMerges: Record<string, { merges?: unknown[] } | null>;
    };
    expect(body.format).toBe('tessera.dsr.access.v1');
    expect(body.consents.flatMap((c) => c.records)).toContainEqual(
      expect.objectContaining({ purpose: 'email_marketing', status: 'withdrawn' }),
    );
    expect(body.identityMerges[profile.id]?.merges?.length).toBeGreaterThanOrEqual(1);

    // Erasure, requested by a privacy officer.
    const created = await fetch(`${platform.services.consent.url}/v1/dsr`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'erasure',
        jurisdiction: 'gdpr',
        subject: { identifiers: [{ type: 'email', value: email }] },
      }),
    });
    expect(created.status).toBe(202);
    const { requestId } = (await created.json()) as { requestId: string };
    const done = await waitFor(
      async () => {
        const res = await getJson(`${platform.services.consent.url}/v1/dsr/${requestId}`, platform.adminKey);
        const body = res.body as {
          status: string;
          services?: Array<{ service: string; residue: number | null }>;
        };
        if (body.status === 'failed') throw new Error(`erasure failed: ${JSON.stringify(body)}`);
        return body.status === 'completed' ? body : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, message: 'erasure never completed' },
    );
    const residues = Object.fromEntries((done.services ?? []).map((s) => [s.service, s.residue]));
    expect(residues).toEqual({ identity: 0, 'profile-store': 0 });

    // Independent scan: nothing of the person left in the stores of identity and profile-store.
    expect((await lookup('email', email)).status).toBe(404);
    expect((await lookup('phone', phone)).status).toBe(404);
    const db = new pg.Client({ connectionString: platform.databaseUrl });
    await db.connect();
    try {
      const tables = await db.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_schema IN ('identity', 'profile_store', 'ingest', 'consent') AND table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.length).toBeGreaterThan(5);
      for (const { schema, name } of tables.rows) {
        // Erasure receipts (consent's request ledger, profile-store's privacy_requests) keep the
        // pseudonymous profile id as proof of what was erased; no personal data may remain anywhere.
        const receipt = schema === 'consent' || name === 'privacy_requests';
        const needles = receipt ? [email, phone] : [email, phone, profile.id];
        for (const needle of needles) {
          // The erasure's own outbox rows (the `deleted` notice and the tombstone) carry only the id.
          const erasureNotice =
            name === 'outbox'
              ? ` AND t.payload IS NOT NULL AND t.payload->>'kind' IS DISTINCT FROM 'deleted'`
              : '';
          const hit = await db.query(
            `SELECT count(*)::int AS n FROM "${schema}"."${name}" t WHERE t::text ILIKE $1${erasureNotice}`,
            [`%${needle}%`],
          );
          expect({ table: `${schema}.${name}`, needle, rows: hit.rows[0].n }).toEqual({
            table: `${schema}.${name}`,
            needle,
            rows: 0,
          });
        }
      }
    } finally {
      await db.end();
    }
    const redis = new Redis(platform.redisUrl);
    try {
      let cursor = '0';
      const leftovers: string[] = [];
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${platform.redisKeyPrefix}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          const dump =
            type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'string'
                ? await redis.get(key)
                : '';
          if (dump && (dump.includes(profile.id) || dump.includes(email))) leftovers.push(key);
        }
      } while (cursor !== '0');
      expect(leftovers).toEqual([]);
    } finally {
      redis.disconnect();
    }

    // The compacted change feed ends in a tombstone for the profile.
    const feed = await collectMessages(platform.kafka.kafka, 'profileUpdates', {
      until: (msgs) => msgs.some((m) => m.key === profile.id && m.value === null),
      timeoutMs: 30_000,
    });
    const last = feed.filter((m) => m.key === profile.id).pop();
    expect(last?.value).toBeNull();

    // The person's next event is accepted at the door (no oracle for erasure) but dropped.
    const again = await ingest('/v1/identify', {
      userId: 'someone-else',
      messageId: `m-again-${email}`,
      traits: { email },
    });
    expect(again.status).toBe(200);
    const marker = `marker.${Date.now()}@marker-mail.net`;
    expect(
      (await ingest('/v1/identify', { userId: `marker-${Date.now()}`, traits: { email: marker } })).status,
    ).toBe(200);
    await waitFor(async () => ((await lookup('email', marker)).status === 200 ? true : undefined), {
      timeoutMs: 60_000,
      message: 'the marker event never arrived',
    });
    expect((await lookup('email', email)).status).toBe(404);
  }, 300_000);
});
