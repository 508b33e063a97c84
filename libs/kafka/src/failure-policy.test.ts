import fc from 'fast-check';
import { AppError } from '@tessera/contracts';
import { ProcessingAborted, processWithPolicy, type FailurePolicyDeps } from './failure-policy';

interface Harness {
  handled: number[];
  deadLettered: Array<{ message: number; attempts: number; err: unknown }>;
  calls: number[][];
  waits: number[];
}

function harness(
  handle: (messages: number[]) => void,
  overrides: Partial<FailurePolicyDeps<number>> = {},
): { deps: FailurePolicyDeps<number>; h: Harness } {
  const h: Harness = { handled: [], deadLettered: [], calls: [], waits: [] };
  const deps: FailurePolicyDeps<number> = {
    maxRetries: 2,
    shouldStop: () => false,
    wait: async (retry) => {
      h.waits.push(retry);
    },
    handle: async (messages) => {
      h.calls.push([...messages]);
      handle(messages);
      h.handled.push(...messages);
    },
    deadLetter: async (messages, err, attempts) => {
      for (const message of messages) h.deadLettered.push({ message, attempts, err });
    },
    ...overrides,
  };
  return { deps, h };
}

describe('processWithPolicy', () => {
  it('processWithPolicy should hand a healthy batch over once', async () => {
    const { deps, h } = harness(() => undefined);
    await expect(processWithPolicy([1, 2, 3], deps)).resolves.toBe(0);
    expect(h.calls).toEqual([[1, 2, 3]]);
    expect(h.waits).toEqual([]);
  });

  it('processWithPolicy should not call the handler for an empty batch', async () => {
    const { deps, h } = harness(() => undefined);
    await processWithPolicy([], deps);
    expect(h.calls).toEqual([]);
  });

  it('processWithPolicy should retry a non-retryable failure maxRetries times with growing backoff before bisecting', async () => {
    let failures = 2;
    const { deps, h } = harness(() => {
      if (failures-- > 0) throw new Error('flaky');
    });
    await expect(processWithPolicy([1, 2], deps)).resolves.toBe(0);
    expect(h.waits).toEqual([0, 1]);
    expect(h.handled).toEqual([1, 2]);
  });

  it('processWithPolicy should retry retryable AppErrors without limit and never dead-letter for them', async () => {
    let failures = 25;
    const { deps, h } = harness(() => {
      if (failures-- > 0) throw new AppError('UPSTREAM_UNAVAILABLE', 'db down', { retryable: true });
    });
    await expect(processWithPolicy([1, 2, 3], deps)).resolves.toBe(0);
    expect(h.deadLettered).toEqual([]);
    expect(h.handled).toEqual([1, 2, 3]);
    expect(h.waits).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('processWithPolicy should stop retrying with ProcessingAborted when the consumer stops', async () => {
    let stop = false;
    const { deps, h } = harness(
      () => {
        throw new AppError('UPSTREAM_UNAVAILABLE', 'db down', { retryable: true });
      },
      {
        shouldStop: () => stop,
        wait: async () => {
          stop = true;
        },
      },
    );
    await expect(processWithPolicy([1], deps)).rejects.toBeInstanceOf(ProcessingAborted);
    expect(h.deadLettered).toEqual([]);
  });

  it('processWithPolicy should dead-letter exactly the poison messages and handle the others in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 40 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n })),
          ),
        async ([n, poisonList]) => {
          const poison = new Set(poisonList);
          const messages = Array.from({ length: n }, (_, i) => i);
          const { deps, h } = harness((batch) => {
            if (batch.some((m) => poison.has(m))) throw new Error('poison');
          });
          const count = await processWithPolicy(messages, deps);
          expect(count).toBe(poison.size);
          expect(h.deadLettered.map((d) => d.message)).toEqual(messages.filter((m) => poison.has(m)));
          expect(h.handled).toEqual(messages.filter((m) => !poison.has(m)));
          for (const d of h.deadLettered) expect(d.attempts).toBeGreaterThanOrEqual(deps.maxRetries + 1);
        },
      ),
    );
  });

  it('processWithPolicy should keep retrying retryable errors that appear during bisection', async () => {
    let outage = 3;
    const { deps, h } = harness((batch) => {
      if (batch.includes(4)) throw new Error('poison');
      if (batch.length === 2 && outage-- > 0)
        throw new AppError('UPSTREAM_UNAVAILABLE', 'blip', { retryable: true });
    });
    await expect(processWithPolicy([1, 2, 3, 4], deps)).resolves.toBe(1);
    expect(h.handled).toEqual([1, 2, 3]);
    expect(h.deadLettered.map((d) => d.message)).toEqual([4]);
  });
});

describe('processWithPolicy fatal errors', () => {
  it('processWithPolicy should rethrow a fatal error at once without retrying or dead-lettering', async () => {
    const fatal = new Error('rebalancing');
    const { deps, h } = harness(
      () => {
        throw fatal;
      },
      { isFatal: (err) => err === fatal },
    );
    await expect(processWithPolicy([1, 2], deps)).rejects.toBe(fatal);
    expect(h.calls).toHaveLength(1);
    expect(h.deadLettered).toEqual([]);
  });
});
