import { AppError } from '@tessera/contracts';
import { createTestKafka, uniqueName, waitFor, type TestKafka } from '@tessera/testkit';
import { Registry, type Gauge } from 'prom-client';
import { auditEvent } from './testing/fixtures';

jest.setTimeout(30_000);

describe('consumer lag gauge', () => {
  let tk: TestKafka;
  const registry = new Registry();

  beforeAll(async () => {
    tk = await createTestKafka({ topics: ['audit', 'deadLetter'], partitions: 1, registry });
  });

  afterAll(async () => {
    await tk.cleanup();
  });

  const lagOf = async (group: string) => {
    const gauge = registry.getSingleMetric('tessera_kafka_consumer_lag') as Gauge;
    return (await gauge.get()).values.filter((v) => v.labels.group === group);
  };

  it('lag should be reported while a consumer is stuck and dropped when it stops', async () => {
    const producer = tk.kafka.producer();
    await producer.connect();
    await producer.publish(
      'audit',
      Array.from({ length: 10 }, () => auditEvent()),
    );
    await producer.disconnect();

    const consumer = tk.kafka.consumer({
      groupId: uniqueName('lag-'),
      topics: ['audit'],
      lagIntervalMs: 100,
      retryBackoff: { initialMs: 20, maxMs: 50 },
      handle: async () => {
        throw new AppError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true });
      },
    });
    await consumer.start();
    try {
      const values = await waitFor(async () => {
        const v = await lagOf(consumer.groupId);
        return v.length === 1 && v[0]!.value === 10 ? v : undefined;
      });
      expect(values[0]!.labels).toMatchObject({ topic: tk.kafka.topic('audit'), partition: '0' });
    } finally {
      await consumer.stop();
    }
    expect(await lagOf(consumer.groupId)).toEqual([]);
  });
});
