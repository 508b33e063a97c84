import fc from 'fast-check';
import { coalescedRead } from './coalesced-reads';

/** A fake store recording each statement it was sent. */
function recordingStore(fail?: (keys: readonly number[]) => boolean) {
  const statements: Array<{ kind: 'one' | 'many'; keys: number[] }> = [];
  const answer = (k: number) => (k % 3 === 0 ? undefined : `v${k}`);
  return {
    statements,
    loadOne: async (key: number) => {
      statements.push({ kind: 'one', keys: [key] });
      if (fail?.([key])) throw new Error('database down');
      return answer(key);
    },
    loadMany: async (keys: readonly number[]) => {
      statements.push({ kind: 'many', keys: [...keys] });
      if (fail?.(keys)) throw new Error('database down');
      return keys.map(answer);
    },
    answer,
  };
}

describe('coalescedRead', () => {
  it('sends a read that arrives alone through loadOne, at once', async () => {
    const store = recordingStore();
    const read = coalescedRead({ ...store, maxBatch: 8 });
    await expect(read(1)).resolves.toBe('v1');
    await expect(read(3)).resolves.toBeUndefined();
    expect(store.statements).toEqual([
      { kind: 'one', keys: [1] },
      { kind: 'one', keys: [3] },
    ]);
  });

  it('sends the reads of one turn as one statement and answers each with its own value', async () => {
    const store = recordingStore();
    const sizes: number[] = [];
    const read = coalescedRead({ ...store, maxBatch: 8, onBatch: (n) => sizes.push(n) });
    const answers = await Promise.all([read(1), read(2), read(3), read(2)]);
    expect(answers).toEqual(['v1', 'v2', undefined, 'v2']);
    expect(store.statements).toEqual([{ kind: 'many', keys: [1, 2, 3, 2] }]);
    expect(sizes).toEqual([4]);
  });

  it('splits a turn larger than maxBatch', async () => {
    const store = recordingStore();
    const read = coalescedRead({ ...store, maxBatch: 2 });
    await Promise.all([1, 2, 4, 5, 7].map(read));
    expect(store.statements.map((s) => s.keys)).toEqual([[1, 2], [4, 5], [7]]);
  });

  it('rejects every read of a failed statement and only those', async () => {
    const store = recordingStore((keys) => keys.includes(4));
    const read = coalescedRead({ ...store, maxBatch: 2 });
    const results = await Promise.allSettled([read(1), read(2), read(4), read(5)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('database down'));
  });

  it('keeps reads of different turns apart', async () => {
    const store = recordingStore();
    const read = coalescedRead({ ...store, maxBatch: 8 });
    const first = Promise.all([read(1), read(2)]);
    await new Promise((resolve) => setImmediate(resolve));
    const second = Promise.all([read(4), read(5)]);
    await Promise.all([first, second]);
    expect(store.statements.map((s) => s.keys)).toEqual([
      [1, 2],
      [4, 5],
    ]);
  });

  it('answers every read with the value for its key, however reads are grouped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat(50), { maxLength: 12 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        async (turns, maxBatch) => {
          const store = recordingStore();
          const read = coalescedRead({ ...store, maxBatch });
          const pending: Array<Promise<unknown>> = [];
          for (const turn of turns) {
            pending.push(...turn.map(async (k) => expect(await read(k)).toBe(store.answer(k))));
            await new Promise((resolve) => setImmediate(resolve));
          }
          await Promise.all(pending);
          expect(store.statements.every((s) => s.keys.length <= maxBatch)).toBe(true);
          expect(store.statements.flatMap((s) => s.keys)).toEqual(turns.flat());
        },
      ),
    );
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => coalescedRead({ ...recordingStore(), maxBatch: 0 })).toThrow(/maxBatch/);
  });
});
