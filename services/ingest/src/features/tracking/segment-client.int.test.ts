import { Analytics } from '@segment/analytics-node';
import { collectMessages } from '@tessera/testkit';
import { startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';

let h: IngestHarness;
let host: string;

beforeAll(async () => {
  h = await startIngestHarness();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  host = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => h?.close());

describe('@segment/analytics-node against ingest', () => {
  it('the real Segment client should deliver identify, track and page calls in batches', async () => {
    const analytics = new Analytics({
      writeKey: h.writeKey('segment-node'),
      host,
      maxEventsInBatch: 5,
      flushInterval: 50,
      maxRetries: 2,
    });
    const statuses: number[] = [];
    const errors: unknown[] = [];
    analytics.on('http_request', () => undefined);
    analytics.on('error', (err) => errors.push(err));
    const original = globalThis.fetch;
    // Observe the responses the client got without changing them.
    globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
      const res = await original(...args);
      statuses.push(res.status);
      return res;
    };
    try {
      analytics.identify({
        userId: 'seg-user-1',
        traits: { email: 'Seg.User@Example.com', name: 'Seg User' },
      });
      for (let i = 0; i < 7; i++)
        analytics.track({ userId: 'seg-user-1', event: 'Item Purchased', properties: { i, revenue: 9.99 } });
      analytics.page({
        anonymousId: 'seg-anon-1',
        name: 'Pricing',
        properties: { url: 'https://example.com/pricing' },
      });
      await analytics.closeAndFlush({ timeout: 10_000 });
    } finally {
      globalThis.fetch = original;
    }
    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThanOrEqual(2); // 9 calls, 5 per batch
    expect(statuses.every((s) => s === 200)).toBe(true);
    const messages = await collectMessages(h.kafka, 'eventsIngested', {
      until: (seen) => seen.filter((m) => m.value?.sourceId === 'segment-node').length >= 9,
      timeoutMs: 30_000,
    });
    const events = messages.map((m) => m.value!).filter((e) => e.sourceId === 'segment-node');
    expect(events.filter((e) => e.type === 'track')).toHaveLength(7);
    expect(events.find((e) => e.type === 'identify')!.identifiers).toContainEqual({
      type: 'email',
      value: 'seg.user@example.com',
      raw: 'Seg.User@Example.com',
    });
    expect(events.find((e) => e.type === 'page')).toMatchObject({
      name: 'Pricing',
      anonymousId: 'seg-anon-1',
    });
    expect(new Set(events.map((e) => e.messageId)).size).toBe(9);
  });
});
