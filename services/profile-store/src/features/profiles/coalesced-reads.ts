/**
 * Reads of one kind asked for in the same turn of the event loop, sent to the database as one
 * statement. Under light load every turn carries one request and it goes out alone, through
 * `loadOne`, with no added wait (the flush runs in the same turn, after the poll phase). Under
 * load, the requests whose sockets became readable together share a round trip: the database and
 * this process then pay one statement, one socket write and one wake-up for the lot, instead of
 * one each, which is what bounds a Node API's tail latency on a few shared cores.
 */
export interface CoalescedReadOptions<K, V> {
  /** Reads several keys in one round trip; answers in key order, `undefined` where none. */
  loadMany(keys: readonly K[]): Promise<ReadonlyArray<V | undefined>>;
  /** Reads one key (a statement tuned for the single case). */
  loadOne(key: K): Promise<V | undefined>;
  /** Keys per statement at most; a larger turn is split. */
  maxBatch: number;
  /** Called with the size of each statement sent, for metrics. */
  onBatch?: (size: number) => void;
}

interface Waiting<K, V> {
  key: K;
  resolve(value: V | undefined): void;
  reject(reason: unknown): void;
}

export type CoalescedRead<K, V> = (key: K) => Promise<V | undefined>;

export function coalescedRead<K, V>(options: CoalescedReadOptions<K, V>): CoalescedRead<K, V> {
  if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1)
    throw new RangeError(`maxBatch must be a positive integer, got ${String(options.maxBatch)}`);
  let waiting: Array<Waiting<K, V>> = [];

  async function send(part: Array<Waiting<K, V>>): Promise<void> {
    options.onBatch?.(part.length);
    try {
      const values =
        part.length === 1
          ? [await options.loadOne(part[0]!.key)]
          : await options.loadMany(part.map((w) => w.key));
      part.forEach((w, n) => w.resolve(values[n]));
    } catch (err) {
      for (const w of part) w.reject(err);
    }
  }

  function flush(): void {
    const turn = waiting;
    waiting = [];
    for (let start = 0; start < turn.length; start += options.maxBatch)
      void send(turn.slice(start, start + options.maxBatch));
  }

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ key, resolve, reject });
    });
}
