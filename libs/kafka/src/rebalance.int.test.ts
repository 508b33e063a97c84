import { createTestKafka, uniqueName, waitFor, type TestKafka } from '@tessera/testkit';
import { auditEvent } from './testing/fixtures';
import type { BatchConsumer, TypedProducer } from './types';

jest.setTimeout(60_000);

describe('batch consumer group membership', () => {
  let tk: TestKafka;
  let producer: TypedProducer;
  const consumers: BatchConsumer[] = [];

  beforeAll(async () => {
    tk = await createTestKafka({ topics: ['audit', 'deadLetter'] });
    producer = tk.kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await producer.disconnect();
    await tk.cleanup();
  });

  it('consumers in one group should share partitions and hand over on stop without losing messages', async () => {
    const groupId = uniqueName('g-');
    const seen = new Map<string, number>();
    const byMember: Array<Set<number>> = [new Set(), new Set()];
    const make = (member: number) =>
      tk.kafka.consumer({
        groupId,
        topics: ['audit'],
        sessionTimeoutMs: 10_000,
        handle: async (messages, ctx) => {
          byMember[member]!.add(ctx.partition);
          for (const m of messages) seen.set(m.value!.auditId, (seen.get(m.value!.auditId) ?? 0) + 1);
        },
      });
    const a = make(0);
    const b = make(1);
    consumers.push(a, b);
    await Promise.all([a.start(), b.start()]);

    const firstWave = Array.from({ length: 60 }, () => auditEvent());
    await producer.publish('audit', firstWave);
    await waitFor(async () => firstWave.every((e) => seen.has(e.auditId)), {
      message: 'first wave',
      timeoutMs: 20_000,
    });
    expect(byMember[0]!.size + byMember[1]!.size).toBe(3);
    expect([...byMember[0]!].some((p) => byMember[1]!.has(p))).toBe(false);

    await a.stop();
    const secondWave = Array.from({ length: 60 }, () => auditEvent());
    await producer.publish('audit', secondWave);
    await waitFor(async () => secondWave.every((e) => seen.has(e.auditId)), {
      message: 'second wave',
      timeoutMs: 30_000,
    });
    expect(byMember[1]!.size).toBe(3);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});
