import { SendQueue, type QueuedRecord } from './send-queue';

type Sent = Array<{ topic: string; records: string[] }>;

const rec = (topic: string, record: string, bytes = 10): QueuedRecord<string> => ({ topic, record, bytes });

function controlledSender() {
  const requests: Sent[] = [];
  const pending: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (byTopic: Sent) => {
    requests.push(byTopic);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<void>((resolve, reject) => {
      pending.push({
        resolve: () => {
          inFlight -= 1;
          resolve();
        },
        reject: (err) => {
          inFlight -= 1;
          reject(err);
        },
      });
    });
  };
  const flush = async () => {
    for (let i = 0; i < 50; i += 1) await Promise.resolve();
  };
  return { send, requests, pending, flush, maxInFlight: () => maxInFlight };
}

describe('SendQueue', () => {
  it('SendQueue should keep one request in flight and coalesce what queued meanwhile', async () => {
    const s = controlledSender();
    const queue = new SendQueue(s.send, 1_000);
    const first = queue.enqueue([rec('a', 'a1')]);
    const second = queue.enqueue([rec('a', 'a2'), rec('b', 'b1')]);
    const third = queue.enqueue([rec('a', 'a3')]);
    await s.flush();
    expect(s.requests).toEqual([[{ topic: 'a', records: ['a1'] }]]);

    s.pending[0]!.resolve();
    await first;
    await s.flush();
    expect(s.requests[1]).toEqual([
      { topic: 'a', records: ['a2', 'a3'] },
      { topic: 'b', records: ['b1'] },
    ]);
    s.pending[1]!.resolve();
    await Promise.all([second, third]);
    expect(s.maxInFlight()).toBe(1);
  });

  it('SendQueue should split a large publish into bounded requests and resolve it after the last', async () => {
    const s = controlledSender();
    const queue = new SendQueue(s.send, 25);
    let resolved = false;
    const big = queue
      .enqueue([rec('a', '1'), rec('a', '2'), rec('a', '3'), rec('a', '4'), rec('a', '5')])
      .then(() => {
        resolved = true;
      });
    for (let i = 0; i < 3; i += 1) {
      await s.flush();
      expect(resolved).toBe(false);
      s.pending[i]!.resolve();
    }
    await big;
    expect(s.requests.map((r) => r[0]!.records)).toEqual([['1', '2'], ['3', '4'], ['5']]);
  });

  it('SendQueue should send an oversized single record on its own rather than stall', async () => {
    const s = controlledSender();
    const queue = new SendQueue(s.send, 5);
    const done = queue.enqueue([rec('a', 'huge', 100)]);
    await s.flush();
    s.pending[0]!.resolve();
    await expect(done).resolves.toBeUndefined();
  });

  it('SendQueue should reject only the publishes carried by a failed request and go on with the rest', async () => {
    const s = controlledSender();
    const queue = new SendQueue(s.send, 25);
    const first = queue.enqueue([rec('a', '1')]);
    const split = queue.enqueue([rec('a', '2'), rec('a', '3'), rec('a', '4')]);
    const later = queue.enqueue([rec('a', '5')]);
    await s.flush();
    s.pending[0]!.resolve();
    await first;
    await s.flush();
    s.pending[1]!.reject(new Error('broker down'));
    await expect(split).rejects.toThrow('broker down');
    await s.flush();
    // The failed publish's unsent remainder is dropped; the next publish still goes out.
    expect(s.requests[2]).toEqual([{ topic: 'a', records: ['5'] }]);
    s.pending[2]!.resolve();
    await expect(later).resolves.toBeUndefined();
    await queue.idle();
  });

  it('SendQueue should resolve an empty publish without sending', async () => {
    const s = controlledSender();
    await new SendQueue(s.send, 10).enqueue([]);
    expect(s.requests).toEqual([]);
  });
});
