import type { FastifyInstance } from 'fastify';
import { createMetricsRegistry } from '@tessera/observability';
import { buildApp } from '../../app';
import type { ConsentCore } from '../../consent-core';
import { createConsentHarness, testKeys } from '../../test-support/consent-harness';
import type { ConsentHarness } from '../../test-support/consent-harness';

const profileId = '01890000-0000-7000-8000-00000000a001';

describe('consent API', () => {
  let h: ConsentHarness;
  let core: ConsentCore;
  let app: FastifyInstance;
  const { keys, tokens } = testKeys({ writer: ['consent:write'], reader: ['profile:read'] });
  const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    h = await createConsentHarness();
    core = h.newCore();
    app = await buildApp({
      logger: h.logger,
      registry: createMetricsRegistry({ service: 'consent-test', collectDefault: false }),
      pool: h.pool,
      keys,
      core,
    });
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  it('consent API should derive state from conflicting and expiring records', async () => {
    const post = await app.inject({
      method: 'POST',
      url: '/v1/consent',
      headers: auth('writer'),
      payload: {
        records: [
          {
            profileId,
            purpose: 'email_marketing',
            status: 'granted',
            effectiveAt: '2026-01-01T00:00:00Z',
            proof: { formId: 'signup', ip: '203.0.113.9', userAgent: 'UA/1' },
          },
          {
            profileId,
            purpose: 'email_marketing',
            status: 'withdrawn',
            effectiveAt: '2026-01-01T00:00:00Z',
            source: 'support',
          },
          { profileId, purpose: 'sms_marketing', status: 'denied', effectiveAt: '2025-01-01T00:00:00Z' },
          {
            profileId,
            purpose: 'sms_marketing',
            status: 'granted',
            effectiveAt: '2025-06-01T00:00:00Z',
            expiresAt: '2025-12-01T00:00:00Z',
          },
          {
            profileId,
            purpose: 'analytics',
            status: 'granted',
            effectiveAt: '2025-06-01T00:00:00Z',
            expiresAt: '2099-01-01T00:00:00Z',
          },
        ],
      },
    });
    expect(post.statusCode).toBe(201);
    expect(post.json().recorded).toBe(5);

    const get = await app.inject({
      method: 'GET',
      url: `/v1/consent/${profileId}?history=true`,
      headers: auth('reader'),
    });
    expect(get.statusCode).toBe(200);
    const body = get.json();
    expect(body.purposes.email_marketing.status).toBe('withdrawn');
    expect(body.purposes.sms_marketing.status).toBe('unknown');
    expect(body.purposes.analytics.status).toBe('granted');
    expect(body.purposes.sale_sharing.status).toBe('unknown');
    expect(body.records).toHaveLength(5);

    // The proof is a keyed hash; the raw IP and user agent are nowhere in the schema.
    const { rows } = await h.pool.query<{ t: string }>(
      'SELECT row_to_json(r)::text AS t FROM consent_records r',
    );
    expect(rows.some((r) => r.t.includes('203.0.113.9') || r.t.includes('UA/1'))).toBe(false);
    expect(rows.filter((r) => JSON.parse(r.t).proof_hash !== null)).toHaveLength(1);

    // Derived state changes went to the outbox and the audit chain.
    const { rows: outbox } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
    expect(Number(outbox[0]!.n)).toBeGreaterThanOrEqual(2);
    expect((await core.audit.verify()).verified).toBeGreaterThanOrEqual(2);
  });

  it('consent API should answer 400 with field paths for unknown purposes and bad bodies, 403 without scope', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/consent',
      headers: auth('writer'),
      payload: {
        records: [
          { profileId, purpose: 'email_marketing', status: 'granted' },
          { profileId, purpose: 'telepathy', status: 'granted' },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([expect.objectContaining({ path: 'body.records.1.purpose' })]);
    const noSubject = await app.inject({
      method: 'POST',
      url: '/v1/consent',
      headers: auth('writer'),
      payload: { purpose: 'analytics', status: 'granted' },
    });
    expect(noSubject.statusCode).toBe(400);
    const forbidden = await app.inject({
      method: 'POST',
      url: '/v1/consent',
      headers: auth('reader'),
      payload: { profileId, purpose: 'analytics', status: 'granted' },
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('consent API should treat a retried call with the same idempotency key as a no-op', async () => {
    const payload = { profileId, purpose: 'personalization', status: 'granted', idempotencyKey: 'form-42' };
    const first = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth('writer'), payload });
    const second = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth('writer'), payload });
    expect(first.json().recorded).toBe(1);
    expect(second.json().recorded).toBe(0);
    expect(second.json().changes).toEqual([]);
  });

  it('consent service should re-derive an expired grant on the sweep and record the change', async () => {
    const subject = '01890000-0000-7000-8000-00000000a002';
    const soon = new Date(Date.now() + 300);
    await core.consent.record(
      [
        {
          recordId: '01890000-0000-7000-8000-00000000b001',
          subject: { profileId: subject },
          purpose: 'analytics',
          status: 'granted',
          source: 'test',
          effectiveAt: new Date(Date.now() - 1000),
          expiresAt: soon,
        },
      ],
      'test',
    );
    expect((await core.consent.stateOf(h.pool, [subject])).get(subject)?.analytics).toBe('granted');
    const changed = await core.sweepDue(new Date(soon.getTime() + 1));
    expect(changed).toBe(1);
    const { rows } = await h.pool.query<{ status: string }>(
      "SELECT status FROM consent_state WHERE subject_key = $1 AND purpose = 'analytics'",
      [subject],
    );
    expect(rows[0]!.status).toBe('unknown');
  });
});
