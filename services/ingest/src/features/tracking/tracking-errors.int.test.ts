import { gzipSync } from 'node:zlib';
import { generateApiKey } from '@tessera/access';
import { captureLogs } from '@tessera/testkit';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';

let h: IngestHarness;
let key: string;
const logs = captureLogs({ name: 'ingest', level: 'info' });

beforeAll(async () => {
  h = await startIngestHarness({ logger: logs.logger });
  key = h.writeKey('web-err');
  await h.sources.create({
    id: 'slow',
    name: 'Slow source',
    channel: 'pos',
    rateLimitPerSecond: 3,
    allowedEventTypes: ['track'],
  });
});
afterAll(async () => h?.close());

const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', authorization: basic(key), ...headers },
    payload,
  });

describe('tracking API rejections', () => {
  it('malformed JSON should be 400 MALFORMED_JSON', async () => {
    const res = await post('/v1/track', '{"userId": "u1", "event": ');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'MALFORMED_JSON',
      message: 'request body is not valid JSON',
      requestId: expect.any(String),
    });
    const empty = await post('/v1/track', '');
    expect([empty.statusCode, empty.json().code]).toEqual([400, 'MALFORMED_JSON']);
    const poisoned = await post('/v1/track', '{"userId":"u","event":"E","__proto__":{"x":1}}');
    expect([poisoned.statusCode, poisoned.json().code]).toEqual([400, 'MALFORMED_JSON']);
  });

  it('wrong types should be 400 VALIDATION_FAILED with the zod path of each field', async () => {
    const res = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', userId: 'u', event: 42 },
          { type: 'nope', userId: 'u' },
          { type: 'identify', userId: 'u', timestamp: 'yesterday' },
        ],
      }),
    );
    expect(res.statusCode).toBe(400);
    const body = res.json() as { code: string; details: Array<{ path: string }> };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.map((d) => d.path)).toEqual(['batch.0.event', 'batch.1.type', 'batch.2.timestamp']);
  });

  it('an event without any identifier should be 400 naming the missing field', async () => {
    const res = await post('/v1/track', JSON.stringify({ event: 'Orphan' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'userId', message: expect.stringContaining('no valid identifier') }],
    });
    const invalidOnly = await post('/v1/identify', JSON.stringify({ traits: { email: 'not-an-email' } }));
    expect(invalidOnly.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining([{ path: 'traits.email', message: expect.any(String) }]),
    });
  });

  it('oversize events and batches should be 413 PAYLOAD_TOO_LARGE', async () => {
    const big = 'x'.repeat(33 * 1024);
    const single = await post('/v1/track', JSON.stringify({ userId: 'u', event: 'E', properties: { big } }));
    expect([single.statusCode, single.json().code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const inBatch = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', userId: 'u', event: 'ok' },
          { type: 'track', userId: 'u', event: 'E', properties: { big } },
        ],
      }),
    );
    expect(inBatch.statusCode).toBe(413);
    expect(inBatch.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: [{ path: 'batch.1' }] });
    const huge = JSON.stringify({
      batch: Array.from({ length: 30 }, () => ({
        type: 'track',
        userId: 'u',
        event: 'E',
        properties: { p: 'y'.repeat(20_000) },
      })),
    });
    const batch = await post('/v1/batch', huge);
    expect([batch.statusCode, batch.json().code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    // A gzip bomb is measured after decompression.
    const bomb = await post('/v1/batch', gzipSync(huge), { 'content-encoding': 'gzip' });
    expect([bomb.statusCode, bomb.json().code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('bad and revoked keys should be 401 with distinct codes', async () => {
    const body = JSON.stringify({ userId: 'u', event: 'E' });
    const none = await h.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect([none.statusCode, none.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    const unknown = await post('/v1/track', body, {
      authorization: basic('tsk_abcdefgh12345678_notarealsecret'),
    });
    expect([unknown.statusCode, unknown.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    const { token, record } = generateApiKey({ name: 'old', scopes: ['ingest:write'], sourceId: 'web-err' });
    h.keys.upsert(record);
    expect((await post('/v1/track', body, { authorization: `Bearer ${token}` })).statusCode).toBe(200);
    h.keys.upsert({ ...record, revokedAt: new Date(Date.now() - 1000).toISOString() });
    const revoked = await post('/v1/track', body, { authorization: `Bearer ${token}` });
    expect([revoked.statusCode, revoked.json().code]).toEqual([401, 'WRITE_KEY_REVOKED']);
    const readOnly = h.writeKey('web-err', ['profile:read']);
    const forbidden = await post('/v1/track', body, { authorization: basic(readOnly) });
    expect([forbidden.statusCode, forbidden.json().code]).toEqual([403, 'FORBIDDEN']);
  });

  it('a source over its rate limit should get 429 with Retry-After, and disallowed call types 400', async () => {
    const slow = h.writeKey('slow');
    const send = (n: number) =>
      post(
        '/v1/batch',
        JSON.stringify({
          batch: Array.from({ length: n }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'Sale' })),
        }),
        { authorization: basic(slow) },
      );
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 5 && !limited; i++) {
      const res = await send(2);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expect(limited!.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const page = await post('/v1/page', JSON.stringify({ userId: 'u', name: 'Home' }), {
      authorization: basic(slow),
    });
    expect(page.statusCode).toBe(400);
    expect(page.json()).toMatchObject({ details: [{ path: 'type' }] });
  });

  it('personal data should never reach the logs, even from rejected requests', async () => {
    await post(
      '/v1/identify',
      JSON.stringify({ userId: 'u', traits: { email: 'secret.person@example.com', phone: 'not a phone' } }),
    );
    await post('/v1/identify', '{"traits": {"email": "secret.person@example.com"');
    expect(logs.lines().length).toBeGreaterThan(0);
    expect(logs.lines().join('\n')).not.toContain('secret.person');
  });
});
