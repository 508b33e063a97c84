import { uuidv7 } from '@tessera/contracts';
import { collectMessages, testLogger, waitFor } from '@tessera/testkit';
import { createSources } from '../app';
import { startIngestHarness, type IngestHarness } from '../test-support/ingest-harness';
import { createIntakeConsumer } from './intake-consumer';

let h: IngestHarness;

beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(async () => h?.close());

describe('Kafka intake', () => {
  it('valid intake messages should be published like HTTP calls and invalid ones dead-lettered with the reason', async () => {
    const consumer = createIntakeConsumer({
      kafka: h.kafka,
      producer: h.producer,
      ingest: h.ingest,
      sources: createSources(h.config, h.sources),
      logger: testLogger('intake'),
      groupId: 'ingest-intake',
    });
    await consumer.start();
    try {
      const good = uuidv7();
      const noIdentifier = uuidv7();
      const badType = uuidv7();
      await h.producer.publish('intake', [
        {
          sourceId: 'backend',
          type: 'track',
          messageId: good,
          userId: 'u-k',
          event: 'Invoice Paid',
          properties: { amount: 10 },
        },
        { sourceId: 'backend', type: 'track', messageId: noIdentifier, event: 'Orphan' },
        { sourceId: 'backend', type: 'track', messageId: badType, userId: 'u-k', event: 42 },
      ]);
      const ingested = await collectMessages(h.kafka, 'eventsIngested', {
        until: (s) => s.some((m) => m.value?.messageId === good),
        timeoutMs: 30_000,
      });
      expect(ingested.find((m) => m.value?.messageId === good)!.value).toMatchObject({
        sourceId: 'backend',
        channel: 'kafka',
        identifiers: [{ type: 'user_id', value: 'u-k' }],
      });
      const dead = await collectMessages(h.kafka, 'deadLetter', {
        until: (s) => s.length >= 2,
        timeoutMs: 30_000,
      });
      const reasons = dead.map((m) => ({
        id: (JSON.parse(m.value!.value!) as { messageId: string }).messageId,
        code: m.value!.error.code,
        paths: m.value!.error.issues?.map((i) => i.path),
      }));
      expect(reasons).toEqual(
        expect.arrayContaining([
          { id: noIdentifier, code: 'VALIDATION_FAILED', paths: ['userId'] },
          { id: badType, code: 'VALIDATION_FAILED', paths: ['event'] },
        ]),
      );
      await waitFor(async () => consumer.isRunning());
    } finally {
      await consumer.stop();
    }
  });
});
