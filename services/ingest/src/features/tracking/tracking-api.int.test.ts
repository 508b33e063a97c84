import { gzipSync } from 'node:zlib';
import { suppressionKey, uuidv7, type CanonicalEventV1 } from '@tessera/contracts';
import { collectMessages, waitFor } from '@tessera/testkit';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';

let h: IngestHarness;
let key: string;
const SOURCE = 'web-int';

beforeAll(async () => {
  h = await startIngestHarness();
  key = h.writeKey(SOURCE);
});
afterAll(async () => h?.close());

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', authorization: basic(key), ...headers },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });

async function eventsWith(messageIds: string[]): Promise<CanonicalEventV1[]> {
  const wanted = new Set(messageIds);
  const messages = await collectMessages(h.kafka, 'eventsIngested', {
    until: (seen) => [...wanted].every((id) => seen.some((m) => m.value?.messageId === id)),
    timeoutMs: 30_000,
  });
  return messages.map((m) => m.value!).filter((v) => wanted.has(v.messageId));
}

describe('tracking API', () => {
  it('each Segment endpoint should answer 200 only with its event on the ingested topic', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [
      ['identify', { userId: 'u-1', traits: { email: 'Ana@Example.com' } }],
      ['track', { anonymousId: 'a-1', event: 'Product Viewed', properties: { sku: 'X' } }],
      ['page', { anonymousId: 'a-1', name: 'Home', category: 'Landing' }],
      ['screen', { userId: 'u-1', name: 'Cart' }],
      ['group', { userId: 'u-1', groupId: 'acme', traits: { plan: 'pro' } }],
      ['alias', { userId: 'u-1', previousId: 'a-1' }],
    ];
    const ids: string[] = [];
    for (const [type, body] of calls) {
      const messageId = uuidv7();
      ids.push(messageId);
      const res = await post(`/v1/${type}`, { ...body, messageId });
      expect({ type, status: res.statusCode, body: res.json() }).toEqual({
        type,
        status: 200,
        body: { success: true, accepted: 1, duplicates: 0 },
      });
    }
    const events = await eventsWith(ids);
    expect(events.map((e) => e.type).sort()).toEqual([
      'alias',
      'group',
      'identify',
      'page',
      'screen',
      'track',
    ]);
    const identify = events.find((e) => e.type === 'identify')!;
    expect(identify).toMatchObject({
      sourceId: SOURCE,
      channel: 'web',
      identifiers: [
        { type: 'user_id', value: 'u-1' },
        { type: 'email', value: 'ana@example.com', raw: 'Ana@Example.com' },
      ],
    });
    expect(events.find((e) => e.type === 'alias')).toMatchObject({
      previousId: 'a-1',
      identifiers: [{ type: 'user_id' }, { type: 'anonymous_id', value: 'a-1' }],
    });
    expect(events.find((e) => e.type === 'page')!.properties).toEqual({ category: 'Landing' });
  });

  it('POST /v1/batch should accept gzip bodies, apply batch context and correct clock skew', async () => {
    const [m1, m2] = [uuidv7(), uuidv7()];
    const body = {
      sentAt: '2030-01-01T00:00:10.000Z',
      context: { externalIds: [{ id: 'L-77', type: 'loyalty_id', collection: 'users', encoding: 'none' }] },
      batch: [
        {
          type: 'track',
          messageId: m1,
          userId: 'u-2',
          event: 'Signed Up',
          timestamp: '2030-01-01T00:00:00.000Z',
        },
        { type: 'identify', messageId: m2, anonymousId: 'a-2', traits: { phone: '(415) 555-2671' } },
      ],
    };
    const res = await post('/v1/batch', gzipSync(JSON.stringify(body)), {
      'content-encoding': 'gzip',
      'sec-gpc': '1',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, accepted: 2, duplicates: 0 });
    const events = await eventsWith([m1, m2]);
    const track = events.find((e) => e.messageId === m1)!;
    // happened 10 s before it was sent, by the device's (wrong) clock
    expect(Date.parse(track.receivedAt) - Date.parse(track.timestamp)).toBe(10_000);
    expect(track.identifiers).toContainEqual({ type: 'loyalty_id', value: 'L-77' });
    expect(track.consentSignals).toEqual([{ purpose: 'sale_sharing', status: 'denied', reason: 'gpc' }]);
    expect(events.find((e) => e.messageId === m2)!.identifiers).toContainEqual({
      type: 'phone',
      value: '+14155552671',
      raw: '(415) 555-2671',
    });
  });

  it('a repeated (source, messageId) should be accepted once and published once', async () => {
    const messageId = uuidv7();
    const marker = uuidv7();
    const first = await post('/v1/track', { messageId, userId: 'u-3', event: 'Paid' });
    const again = await post('/v1/batch', {
      batch: [{ type: 'track', messageId, userId: 'u-3', event: 'Paid' }],
    });
    expect(first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await post('/v1/track', { messageId: marker, userId: 'u-3', event: 'Marker' });
    const all = await collectMessages(h.kafka, 'eventsIngested', {
      until: (seen) => seen.some((m) => m.value?.messageId === marker),
    });
    expect(all.filter((m) => m.value?.messageId === messageId)).toHaveLength(1);
  });

  it('events of a suppressed subject should get 200 but never reach the topic', async () => {
    const hash = h.hasher('email', 'erased@example.com');
    await h.producer.publish('suppression', [
      {
        schemaVersion: 1,
        identifier: { type: 'email', hash },
        requestId: uuidv7(),
        suppressedAt: new Date().toISOString(),
      },
    ]);
    await waitFor(async () => h.suppression.isSuppressed([suppressionKey({ type: 'email', hash })]));
    const dropped = uuidv7();
    const marker = uuidv7();
    const res = await post('/v1/identify', {
      messageId: dropped,
      anonymousId: 'a-9',
      traits: { email: 'Erased@Example.com' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, accepted: 1, duplicates: 0 });
    await post('/v1/track', { messageId: marker, anonymousId: 'a-9', event: 'Marker' });
    const all = await collectMessages(h.kafka, 'eventsIngested', {
      until: (seen) => seen.some((m) => m.value?.messageId === marker),
    });
    expect(all.some((m) => m.value?.messageId === dropped)).toBe(false);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/tessera_ingest_events_suppressed_total\{[^}]*channel="web"[^}]*\} 1/);
  });

  it('GET /docs/openapi.json should describe every tracking endpoint', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/identify',
        '/v1/track',
        '/v1/page',
        '/v1/screen',
        '/v1/group',
        '/v1/alias',
        '/v1/batch',
      ]),
    );
  });
});
