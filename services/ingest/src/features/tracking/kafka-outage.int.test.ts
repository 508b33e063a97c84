import { uuidv7 } from '@tessera/contracts';
import { collectMessages, waitFor } from '@tessera/testkit';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';

let h: IngestHarness;

beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(async () => h?.close());

describe('ingest when Kafka goes away mid-stream', () => {
  it('every 2xx should be on the topic and every failure should be a retryable 503, never reported accepted', async () => {
    const key = h.writeKey('outage');
    const sent: Array<{ messageId: string; status: number; code?: string; retryAfter?: string }> = [];
    const send = async () => {
      const messageId = uuidv7();
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: basic(key) },
        payload: JSON.stringify({ batch: [{ type: 'track', messageId, userId: 'u-outage', event: 'Tick' }] }),
      });
      const body = res.json() as { code?: string };
      sent.push({
        messageId,
        status: res.statusCode,
        code: body.code,
        retryAfter: res.headers['retry-after'] as string | undefined,
      });
    };
    // Four senders stream requests; once some were accepted the producer's connection is torn
    // down under them, and they keep sending until several have failed.
    let stop = false;
    const count = (pred: (s: { status: number }) => boolean) => sent.filter(pred).length;
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) await send();
    });
    await waitFor(async () => count((s) => s.status === 200) >= 10, { timeoutMs: 20_000 });
    await h.producer.disconnect();
    await waitFor(async () => count((s) => s.status !== 200) >= 8, { timeoutMs: 20_000 });
    stop = true;
    await Promise.all(senders);

    const ok = sent.filter((s) => s.status === 200);
    const failed = sent.filter((s) => s.status !== 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed)
      expect(f).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE', retryAfter: '1' });

    const onTopic = await collectMessages(h.kafka, 'eventsIngested', {
      until: (seen) => ok.every((s) => seen.some((m) => m.value?.messageId === s.messageId)),
      timeoutMs: 30_000,
    });
    const ids = new Set(onTopic.map((m) => m.value?.messageId));
    expect(ok.filter((s) => !ids.has(s.messageId))).toEqual([]);

    // A failed request was not marked as seen: its retry is accepted (at-least-once).
    await h.producer.connect();
    const retry = await h.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'application/json', authorization: basic(key) },
      payload: JSON.stringify({
        batch: [{ type: 'track', messageId: failed[0]!.messageId, userId: 'u-outage', event: 'Tick' }],
      }),
    });
    expect(retry.json()).toMatchObject({ success: true, accepted: 1, duplicates: 0 });
  });
});
