import { AppError, type DeadLetterV1 } from '@tessera/contracts';
import { collectMessages, createTestKafka, uniqueName, waitFor, type TestKafka } from '@tessera/testkit';
import { accessKey, auditEvent } from './testing/fixtures';
import type { BatchConsumer, ConsumedMessage, TypedProducer } from './types';

describe('kafka producer and consumer', () => {
  let tk: TestKafka;
  let producer: TypedProducer;
  const consumers: BatchConsumer[] = [];

  beforeAll(async () => {
    tk = await createTestKafka({ topics: ['accessKeys', 'audit', 'deadLetter'] });
    producer = tk.kafka.producer({ name: 'test' });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await producer.disconnect();
    await tk.cleanup();
  });

  it('publish should deliver validated messages keyed from the catalogue to a consumer', async () => {
    const events = Array.from({ length: 25 }, () => auditEvent());
    await producer.publish('audit', events, { headers: { 'x-test': 'yes' } });

    const seen = await collectMessages(tk.kafka, 'audit', { until: (m) => m.length >= events.length });

    expect(seen.map((m) => m.value?.auditId).sort()).toEqual(events.map((e) => e.auditId).sort());
    const first = seen[0]!;
    expect(first.key).toBe(first.value?.auditId);
    expect(first.headers['x-test']).toBe('yes');
    expect(first.topic).toBe(tk.kafka.topic('audit'));
  });

  it('publish should reject a schema-invalid message with EVENT_SCHEMA_INVALID and send nothing', async () => {
    const good = accessKey();
    const bad = { ...accessKey(), keyId: 'NOT VALID' };

    const attempt = producer.publish('accessKeys', [good, bad]);

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'EVENT_SCHEMA_INVALID',
      details: [expect.objectContaining({ path: '1.keyId' })],
    });
  });

  it('concurrent publishes should all be acknowledged and delivered exactly once', async () => {
    const batches = Array.from({ length: 20 }, () =>
      Array.from({ length: 5 }, () => auditEvent({ service: 'burst' })),
    );
    await Promise.all(batches.map((b) => producer.publish('audit', b)));

    const all = batches.flat().map((e) => e.auditId);
    const seen = await collectMessages(tk.kafka, 'audit', {
      until: (m) => m.filter((x) => x.value?.service === 'burst').length >= all.length,
    });
    const burst = seen.filter((m) => m.value?.service === 'burst').map((m) => m.value?.auditId);
    expect(burst.sort()).toEqual(all.sort());
  });

  it('tombstones should reach handlers as null values on topics that allow them', async () => {
    const key = accessKey();
    await producer.publish('accessKeys', [key]);
    await producer.publishTombstone('accessKeys', [key.keyId]);

    const seen = await collectMessages(tk.kafka, 'accessKeys', {
      until: (m) => m.some((x) => x.key === key.keyId && x.value === null),
    });
    const forKey = seen.filter((m) => m.key === key.keyId);
    expect(forKey.map((m) => m.value?.keyId ?? null)).toEqual([key.keyId, null]);
  });

  it('publish should fail fast with a retryable UPSTREAM_UNAVAILABLE after disconnect', async () => {
    const closing = tk.kafka.producer({ name: 'closing' });
    await closing.publish('audit', [auditEvent()]);
    await closing.disconnect();
    await expect(closing.publish('audit', [auditEvent()])).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      statusCode: 503,
    });
  });

  it('publishTombstone should refuse topics without tombstones', async () => {
    await expect(producer.publishTombstone('audit', ['x'])).rejects.toMatchObject({
      code: 'EVENT_SCHEMA_INVALID',
    });
  });

  it('consumer should dead-letter malformed and schema-invalid messages with the reason and keep going', async () => {
    const topic = tk.kafka.topic('accessKeys');
    const before = accessKey();
    const after = accessKey();
    await producer.publish('accessKeys', [before]);
    await producer.publishRaw(topic, [
      { key: 'broken-json', value: '{"schemaVersion":1,', headers: { origin: 'test' } },
      { key: 'bad-schema', value: JSON.stringify({ ...accessKey(), scopes: [], keyId: 'UPPER' }) },
      { key: 'binary', value: Buffer.from([0xff, 0xfe, 0x00, 0x81]) },
    ]);
    await producer.publish('accessKeys', [after]);

    const handled: Array<ConsumedMessage<unknown>> = [];
    const consumer = tk.kafka.consumer({
      groupId: uniqueName('dlq-'),
      topics: ['accessKeys'],
      handle: async (messages) => {
        handled.push(...messages);
      },
    });
    consumers.push(consumer);
    await consumer.start();

    await waitFor(async () => handled.some((m) => m.key === after.keyId), {
      message: 'message after the bad ones',
    });
    expect(handled.map((m) => m.key)).not.toEqual(expect.arrayContaining(['broken-json']));
    expect(handled.some((m) => m.key === before.keyId)).toBe(true);

    const letters = await collectMessages(tk.kafka, 'deadLetter', {
      until: (m) => ['broken-json', 'bad-schema', 'binary'].every((k) => m.some((x) => x.value?.key === k)),
    });
    const byKey = new Map(letters.map((m) => [m.value!.key, m.value as DeadLetterV1]));
    expect(byKey.get('broken-json')).toMatchObject({
      originalTopic: topic,
      consumerGroup: consumer.groupId,
      value: '{"schemaVersion":1,',
      valueEncoding: 'utf8',
      headers: { origin: 'test' },
      error: { code: 'MALFORMED_JSON' },
      attempts: 1,
    });
    const schemaIssues = byKey.get('bad-schema')!.error.issues!.map((i) => i.path);
    expect(byKey.get('bad-schema')!.error.code).toBe('EVENT_SCHEMA_INVALID');
    expect(schemaIssues).toEqual(expect.arrayContaining(['keyId', 'scopes']));
    expect(byKey.get('binary')).toMatchObject({
      valueEncoding: 'base64',
      value: Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64'),
    });
  });
});
