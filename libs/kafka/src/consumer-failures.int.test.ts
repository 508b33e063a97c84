import { AppError, type DeadLetterV1 } from '@tessera/contracts';
import { collectMessages, createTestKafka, uniqueName, waitFor, type TestKafka } from '@tessera/testkit';
import { auditEvent } from './testing/fixtures';
import { Registry, type Counter } from 'prom-client';
import type { BatchConsumer, BatchConsumerOptions, TypedProducer } from './types';

jest.setTimeout(60_000);

describe('batch consumer failure policy', () => {
  let tk: TestKafka;
  let producer: TypedProducer;
  const registry = new Registry();
  const running: BatchConsumer[] = [];

  const startConsumer = async (opts: Omit<BatchConsumerOptions<'audit'>, 'topics'>) => {
    const consumer = tk.kafka.consumer({
      topics: ['audit'],
      retryBackoff: { initialMs: 10, maxMs: 50 },
      ...opts,
    });
    running.push(consumer);
    await consumer.start();
    return consumer;
  };

  beforeAll(async () => {
    tk = await createTestKafka({ topics: ['audit', 'deadLetter'], partitions: 1, registry });
    producer = tk.kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await producer.disconnect();
    await tk.cleanup();
  });

  it('consumer should isolate a poison message by bisection, dead-letter it and handle the rest', async () => {
    const service = uniqueName('poison-');
    const events = Array.from({ length: 16 }, () => auditEvent({ service }));
    const poison = events[11]!;
    await producer.publish('audit', events);

    const handled = new Set<string>();
    await startConsumer({
      groupId: uniqueName('g-'),
      maxRetries: 2,
      handle: async (messages) => {
        const mine = messages.filter((m) => m.value?.service === service);
        if (mine.some((m) => m.value?.auditId === poison.auditId)) throw new Error('cannot apply this one');
        for (const m of mine) handled.add(m.value!.auditId);
      },
    });

    await waitFor(async () => handled.size === events.length - 1, { message: 'all but the poison handled' });
    expect(handled.has(poison.auditId)).toBe(false);
    const letters = await collectMessages(tk.kafka, 'deadLetter', {
      until: (m) => m.some((x) => x.value?.key === poison.auditId),
    });
    const letter = letters.find((x) => x.value?.key === poison.auditId)!.value as DeadLetterV1;
    expect(letter.error).toEqual({ code: 'HANDLER_FAILED', message: 'Error: cannot apply this one' });
    expect(letter.attempts).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(letter.value!)).toMatchObject({ auditId: poison.auditId });
    const ids = new Set(events.map((e) => e.auditId));
    expect(letters.filter((x) => ids.has(x.value?.key ?? '')).length).toBe(1);
  });

  it('consumer should retry a retryable failure until it succeeds without dead-lettering', async () => {
    const service = uniqueName('retry-');
    const events = Array.from({ length: 3 }, () => auditEvent({ service }));
    await producer.publish('audit', events);

    let failuresLeft = 4;
    const handled: string[] = [];
    const consumer = await startConsumer({
      groupId: uniqueName('g-'),
      maxRetries: 1,
      handle: async (messages) => {
        const mine = messages.filter((m) => m.value?.service === service);
        if (mine.length > 0 && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new AppError('UPSTREAM_UNAVAILABLE', 'database down', { retryable: true, statusCode: 503 });
        }
        handled.push(...mine.map((m) => m.value!.auditId));
      },
    });

    await waitFor(async () => handled.length === events.length, { message: 'events handled after retries' });
    expect(failuresLeft).toBe(0);
    expect(handled).toEqual(events.map((e) => e.auditId));
    const deadLettered = registry.getSingleMetric('tessera_kafka_dead_lettered_total') as Counter;
    const mine = (await deadLettered.get()).values.filter((v) => v.labels.group === consumer.groupId);
    expect(mine).toEqual([]);
    const retries = registry.getSingleMetric('tessera_kafka_handler_retries_total') as Counter;
    const retried = (await retries.get()).values.find((v) => v.labels.group === consumer.groupId);
    expect(retried).toMatchObject({ value: 4, labels: { kind: 'retryable' } });
  });

  it('stop should commit handled offsets so the next member of the group resumes after them', async () => {
    const service = uniqueName('commit-');
    const groupId = uniqueName('g-');
    const first = Array.from({ length: 5 }, () => auditEvent({ service }));
    await producer.publish('audit', first);

    const seenByFirst: string[] = [];
    const consumer = await startConsumer({
      groupId,
      handle: async (messages) => {
        seenByFirst.push(
          ...messages.filter((m) => m.value?.service === service).map((m) => m.value!.auditId),
        );
      },
    });
    await waitFor(async () => seenByFirst.length === first.length, { message: 'first batch handled' });
    await consumer.stop();
    expect(consumer.isRunning()).toBe(false);

    const second = Array.from({ length: 3 }, () => auditEvent({ service }));
    await producer.publish('audit', second);
    const seenBySecond: string[] = [];
    await startConsumer({
      groupId,
      handle: async (messages) => {
        seenBySecond.push(
          ...messages.filter((m) => m.value?.service === service).map((m) => m.value!.auditId),
        );
      },
    });

    await waitFor(async () => seenBySecond.length >= second.length, { message: 'second batch handled' });
    expect(seenBySecond).toEqual(second.map((e) => e.auditId));
  });

  it('stop should let the in-flight batch finish and commit it before leaving', async () => {
    const service = uniqueName('inflight-');
    const groupId = uniqueName('g-');
    const events = Array.from({ length: 4 }, () => auditEvent({ service }));
    await producer.publish('audit', events);

    let entered = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const finished: string[] = [];
    const consumer = await startConsumer({
      groupId,
      handle: async (messages) => {
        const mine = messages.filter((m) => m.value?.service === service);
        if (mine.length === 0) return;
        entered = true;
        await released;
        finished.push(...mine.map((m) => m.value!.auditId));
      },
    });
    await waitFor(async () => entered, { message: 'handler entered' });
    const stopping = consumer.stop();
    release();
    await stopping;
    expect(finished).toEqual(events.map((e) => e.auditId));

    const redelivered: string[] = [];
    const marker = auditEvent({ service });
    await producer.publish('audit', [marker]);
    await startConsumer({
      groupId,
      handle: async (messages) => {
        redelivered.push(
          ...messages.filter((m) => m.value?.service === service).map((m) => m.value!.auditId),
        );
      },
    });
    await waitFor(async () => redelivered.includes(marker.auditId), { message: 'marker consumed' });
    expect(redelivered).toEqual([marker.auditId]);
  });

  it('stop during retries should leave the batch uncommitted so the next member gets it', async () => {
    const service = uniqueName('outage-');
    const groupId = uniqueName('g-');
    const events = Array.from({ length: 3 }, () => auditEvent({ service }));
    await producer.publish('audit', events);

    let attempts = 0;
    const consumer = await startConsumer({
      groupId,
      handle: async (messages) => {
        if (messages.some((m) => m.value?.service === service)) {
          attempts += 1;
          throw new AppError('UPSTREAM_UNAVAILABLE', 'database down', { retryable: true });
        }
      },
    });
    await waitFor(async () => attempts >= 2, { message: 'retrying' });
    await consumer.stop();

    const handled: string[] = [];
    await startConsumer({
      groupId,
      handle: async (messages) => {
        handled.push(...messages.filter((m) => m.value?.service === service).map((m) => m.value!.auditId));
      },
    });
    await waitFor(async () => handled.length >= events.length, { message: 'redelivered after restart' });
    expect(handled).toEqual(events.map((e) => e.auditId));
  });
});
