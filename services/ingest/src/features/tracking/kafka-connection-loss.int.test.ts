import { uuidv7 } from '@tessera/contracts';
import { createKafka, type TesseraKafka } from '@tessera/kafka';
import {
  collectMessages,
  startProxiedBroker,
  testLogger,
  waitFor,
  type ProxiedBroker,
} from '@tessera/testkit';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';

/**
 * The network to Kafka dies under a stream of requests: a broker of the test's own sits behind a
 * TCP proxy the test cuts. Every request that got 2xx must be on the topic; none that failed may
 * have been reported accepted.
 */
describe('ingest when the connection to Kafka is cut mid-stream', () => {
  let broker: ProxiedBroker;
  let kafka: TesseraKafka;
  let h: IngestHarness;

  beforeAll(async () => {
    broker = await startProxiedBroker();
    kafka = createKafka({ brokers: broker.brokers, clientId: 'ingest-cut', logger: testLogger('kafka') });
    const admin = kafka.admin();
    await admin.ensureTopics(['eventsIngested'], [], { partitions: 3 });
    await admin.disconnect();
    h = await startIngestHarness({ producerKafka: kafka });
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await broker?.stop();
  }, 90_000);

  it('every 2xx should be on the topic and every failure a 503, with no accepted event lost', async () => {
    const key = h.writeKey('cut');
    const sent: Array<{ messageIds: string[]; status: number; code?: string }> = [];
    const send = async () => {
      const messageIds = [uuidv7(), uuidv7(), uuidv7()];
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: basic(key) },
        payload: JSON.stringify({
          batch: messageIds.map((messageId) => ({
            type: 'track',
            messageId,
            userId: 'u-cut',
            event: 'Tick',
          })),
        }),
      });
      sent.push({ messageIds, status: res.statusCode, code: (res.json() as { code?: string }).code });
    };
    let stop = false;
    const count = (pred: (s: { status: number }) => boolean) => sent.filter(pred).length;
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) await send();
    });
    await waitFor(async () => count((s) => s.status === 200) >= 20, { timeoutMs: 30_000 });
    await broker.cut();
    await waitFor(async () => count((s) => s.status !== 200) >= 4, { timeoutMs: 60_000 });
    stop = true;
    await Promise.all(senders);

    const ok = sent.filter((s) => s.status === 200);
    const failed = sent.filter((s) => s.status !== 200);
    expect(ok.length).toBeGreaterThanOrEqual(20);
    for (const f of failed) expect(f).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });

    await broker.restore();
    const accepted = ok.flatMap((s) => s.messageIds);
    const onTopic = await collectMessages(kafka, 'eventsIngested', {
      until: (seen) => {
        const ids = new Set(seen.map((m) => m.value?.messageId));
        return accepted.every((id) => ids.has(id));
      },
      timeoutMs: 60_000,
    });
    const ids = new Set(onTopic.map((m) => m.value?.messageId));
    expect(accepted.filter((id) => !ids.has(id))).toEqual([]);
  }, 240_000);
});
