import { createFakeIngest } from '../test-support/fake-ingest';
import { generateWorld } from '../world/generate-world';
import { sendWorld } from './send-world';
import { TokenBucket } from './token-bucket';

const world = generateWorld({ seed: 3, persons: 20 });
const messages = world.messages.slice(0, 200);

describe('sendWorld', () => {
  it('sendWorld should deliver every message once and record each as accepted', async () => {
    const fake = createFakeIngest({ writeKey: 'wk' });
    const result = await sendWorld({
      messages,
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 20,
    });
    expect(result).toMatchObject({ total: 200, sent: 200, accepted: 200, rejected: 0, retries: 0 });
    expect(fake.accepted.slice().sort()).toEqual(messages.map((m) => m.id).sort());
    expect(result.requests).toBeLessThan(200);
    expect(result.outcomes.every((o) => o.accepted && o.status === 200)).toBe(true);
  });

  it('sendWorld should count a 400 as rejected with its code and not retry it', async () => {
    const segment = messages.filter((m) => m.route === 'web' || m.route === 'app').slice(0, 10);
    const poisoned = segment[3]!.id;
    const fake = createFakeIngest({ writeKey: 'wk', poison: new Set([poisoned]) });
    const result = await sendWorld({
      messages: segment,
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 1,
    });
    expect(result).toMatchObject({ sent: 10, accepted: 9, rejected: 1, retries: 0, requests: 10 });
    expect(result.outcomes.find((o) => o.id === poisoned)).toMatchObject({
      accepted: false,
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });

  it('sendWorld should retry 429 and 503 and then succeed', async () => {
    const fake = createFakeIngest({ writeKey: 'wk', throttleFirst: 2, failFirst: 1 });
    const result = await sendWorld({
      messages: messages.slice(0, 5),
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 1,
      concurrency: 1,
    });
    expect(result).toMatchObject({ sent: 5, accepted: 5, rejected: 0, retries: 3, requests: 8 });
  });

  it('sendWorld should give up after maxAttempts and count the messages as rejected', async () => {
    const fake = createFakeIngest({ writeKey: 'wk', failFirst: 100 });
    const result = await sendWorld({
      messages: messages.slice(0, 2),
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 1,
      concurrency: 1,
      maxAttempts: 2,
    });
    expect(result).toMatchObject({ sent: 2, accepted: 0, rejected: 2, requests: 4 });
    expect(result.outcomes.map((o) => o.code)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
  });

  it('sendWorld should reject every message of a source whose key is wrong', async () => {
    const fake = createFakeIngest({ writeKey: 'wk' });
    const result = await sendWorld({
      messages: messages.slice(0, 30),
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wrong' },
      fetch: fake.fetch,
    });
    expect(result).toMatchObject({ sent: 30, accepted: 0, rejected: 30 });
    expect(new Set(result.outcomes.map((o) => o.code))).toEqual(new Set(['UNAUTHENTICATED']));
  });

  it('sendWorld should refuse to start without a write key for a route', async () => {
    await expect(sendWorld({ messages, ingestUrl: 'http://x', writeKeys: { web: 'k' } })).rejects.toThrow(
      /no write key for/,
    );
  });

  it('sendWorld should keep to the target rate and to the concurrency bound', async () => {
    const fake = createFakeIngest({ writeKey: 'wk', latencyMs: 5 });
    const started = performance.now();
    const result = await sendWorld({
      messages: messages.slice(0, 40),
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 1,
      rate: 200,
      concurrency: 4,
    });
    const elapsed = performance.now() - started;
    expect(result.accepted).toBe(40);
    // 40 messages at 200/s with a burst of 10: at least (40 - 10) / 200 s
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
  });
});

describe('TokenBucket', () => {
  it('TokenBucket should space acquisitions by units over rate after the burst', async () => {
    let clock = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(
      10,
      2,
      () => clock,
      async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    );
    for (let i = 0; i < 5; i++) await bucket.acquire(1);
    // burst of 2 units = 200 ms of credit at t=0: slots at -200, -100, 0, 100, 200 -> waits for the last two
    expect(waits).toEqual([100, 100]);
    await bucket.acquire(5);
    expect(waits[2]).toBe(100);
    await bucket.acquire(1);
    expect(waits[3]).toBe(500);
  });
});

describe('sendWorld streaming', () => {
  it('sendWorld should send from a lazy iterable without collecting outcomes', async () => {
    const fake = createFakeIngest({ writeKey: 'wk' });
    function* stream(): Generator<(typeof messages)[number]> {
      yield* messages.slice(0, 60);
    }
    const seen: string[] = [];
    const result = await sendWorld({
      messages: stream(),
      total: 60,
      collectOutcomes: false,
      onOutcome: (o) => seen.push(o.id),
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 7,
    });
    expect(result).toMatchObject({ total: 60, sent: 60, accepted: 60, outcomes: [] });
    expect(seen.sort()).toEqual(
      messages
        .slice(0, 60)
        .map((m) => m.id)
        .sort(),
    );
  });

  it('sendWorld should stop with a clear error when a streamed message has no write key', async () => {
    const fake = createFakeIngest({ writeKey: 'wk' });
    const pos = messages.find((m) => m.route === 'pos')!;
    await expect(
      sendWorld({
        messages: new Set([pos]),
        ingestUrl: 'http://ingest.test',
        writeKeys: { web: 'wk' },
        fetch: fake.fetch,
      }),
    ).rejects.toThrow('no write key for: pos');
  });
});

describe('sendWorld duplicates', () => {
  it('sendWorld should count what ingest reports as duplicates when a world is sent twice', async () => {
    const fake = createFakeIngest({ writeKey: 'wk' });
    const some = messages.slice(0, 25);
    const first = await sendWorld({
      messages: some,
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 10,
    });
    const second = await sendWorld({
      messages: some,
      ingestUrl: 'http://ingest.test',
      writeKeys: { default: 'wk' },
      fetch: fake.fetch,
      batchSize: 10,
    });
    expect(first).toMatchObject({ accepted: 25, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 25, duplicates: 25 });
    expect(fake.accepted).toHaveLength(25);
  });
});

describe('sendWorld unreachable', () => {
  it('sendWorld should stop with a clear error when nothing answers', async () => {
    let calls = 0;
    const refused = async (): Promise<never> => {
      calls++;
      throw new TypeError('fetch failed');
    };
    await expect(
      sendWorld({
        messages,
        ingestUrl: 'http://127.0.0.1:1',
        writeKeys: { default: 'wk' },
        fetch: refused,
        concurrency: 2,
        maxAttempts: 1,
      }),
    ).rejects.toThrow('cannot reach ingest at http://127.0.0.1:1');
    expect(calls).toBeLessThan(20);
  });
});
