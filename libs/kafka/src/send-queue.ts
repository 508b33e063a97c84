/** One record to send, with a size estimate used to bound requests. */
export interface QueuedRecord<R> {
  topic: string;
  record: R;
  bytes: number;
}

interface Job<R> {
  records: QueuedRecord<R>[];
  sentUpTo: number;
  inFlight: number;
  resolve(): void;
  reject(err: unknown): void;
  failed: boolean;
}

export type SendFn<R> = (byTopic: Array<{ topic: string; records: R[] }>) => Promise<void>;

/**
 * Serializes sends and coalesces concurrent publishes into one request. KafkaJS's idempotent
 * producer assigns sequence numbers per send call and breaks (OUT_OF_ORDER_SEQUENCE_NUMBER, or
 * silently dropped messages) when calls overlap, so exactly one request is in flight at a time;
 * whatever queued up meanwhile goes out together in the next one, bounded by `maxRequestBytes`
 * so a request stays below the broker's message size limits. A publish resolves when all its
 * records were acknowledged and rejects if any request carrying them failed.
 */
export class SendQueue<R> {
  private readonly jobs: Job<R>[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly send: SendFn<R>,
    private readonly maxRequestBytes: number,
  ) {}

  enqueue(records: QueuedRecord<R>[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ records, sentUpTo: 0, inFlight: 0, resolve, reject, failed: false });
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  /** Resolves when nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private takeRequest(): Array<{ job: Job<R>; records: QueuedRecord<R>[] }> {
    const taken: Array<{ job: Job<R>; records: QueuedRecord<R>[] }> = [];
    let bytes = 0;
    for (const job of this.jobs) {
      if (job.failed) continue;
      const start = job.sentUpTo;
      let end = start;
      while (end < job.records.length) {
        const size = job.records[end]!.bytes;
        if (bytes > 0 && bytes + size > this.maxRequestBytes) break;
        bytes += size;
        end += 1;
      }
      if (end > start) {
        taken.push({ job, records: job.records.slice(start, end) });
        job.sentUpTo = end;
        job.inFlight += 1;
      }
      if (end < job.records.length) break;
    }
    return taken;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const taken = this.takeRequest();
      if (taken.length === 0) return;
      const byTopic = new Map<string, R[]>();
      for (const { records } of taken) {
        for (const r of records) {
          const list = byTopic.get(r.topic);
          if (list) list.push(r.record);
          else byTopic.set(r.topic, [r.record]);
        }
      }
      let error: unknown;
      let ok = true;
      try {
        await this.send([...byTopic].map(([topic, records]) => ({ topic, records })));
      } catch (err) {
        ok = false;
        error = err;
      }
      for (const { job } of taken) {
        job.inFlight -= 1;
        if (!ok && !job.failed) {
          job.failed = true;
          // The rest of a failed publish is not sent: the caller retries the whole publish.
          job.sentUpTo = job.records.length;
          job.reject(error);
        }
      }
      this.settle();
    }
  }

  /** Drops finished and failed jobs from the head of the queue, resolving the finished ones. */
  private settle(): void {
    for (let i = 0; i < this.jobs.length;) {
      const job = this.jobs[i]!;
      const finished = job.sentUpTo === job.records.length && job.inFlight === 0;
      if (job.failed && job.inFlight === 0) {
        this.jobs.splice(i, 1);
      } else if (finished && !job.failed) {
        this.jobs.splice(i, 1);
        job.resolve();
      } else {
        i += 1;
      }
    }
  }
}
