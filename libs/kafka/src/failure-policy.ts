import { AppError } from '@tessera/contracts';

/** Thrown out of the policy when the consumer is stopping mid-retry; the chunk stays uncommitted. */
export class ProcessingAborted extends Error {
  constructor() {
    super('consumer stopping; batch left uncommitted for redelivery');
    this.name = 'ProcessingAborted';
  }
}

export type RetryKind = 'retryable' | 'failure';

export interface FailurePolicyDeps<M> {
  handle(messages: M[]): Promise<void>;
  /** Records messages that could not be processed; must not throw for a good reason to retry. */
  deadLetter(messages: M[], err: unknown, attempts: number): Promise<void>;
  /** Waits before retry number `retry` (0-based): backoff, heartbeats. May return early on stop. */
  wait(retry: number): Promise<void>;
  shouldStop(): boolean;
  onRetry?(kind: RetryKind, err: unknown, retry: number): void;
  /** Errors that end processing at once (e.g. the group rebalancing under the handler). */
  isFatal?(err: unknown): boolean;
  /** Retries of a non-retryable failure before bisecting. */
  maxRetries: number;
}

export function isRetryable(err: unknown): boolean {
  return err instanceof AppError && err.retryable;
}

type Outcome = { ok: true; attempts: number } | { ok: false; err: unknown; attempts: number };

async function attempt<M>(
  messages: M[],
  allowedFailures: number,
  deps: FailurePolicyDeps<M>,
): Promise<Outcome> {
  let failures = 0;
  let retryableRetries = 0;
  let attempts = 0;
  for (;;) {
    if (deps.shouldStop()) throw new ProcessingAborted();
    attempts += 1;
    try {
      await deps.handle(messages);
      return { ok: true, attempts };
    } catch (err) {
      if (deps.isFatal?.(err)) throw err;
      if (isRetryable(err)) {
        // Infrastructure is down: dead-lettering would lose good messages, so wait it out.
        deps.onRetry?.('retryable', err, retryableRetries);
        await deps.wait(retryableRetries);
        retryableRetries += 1;
        continue;
      }
      failures += 1;
      if (failures >= allowedFailures) return { ok: false, err, attempts };
      deps.onRetry?.('failure', err, failures - 1);
      await deps.wait(failures - 1);
    }
  }
}

/**
 * Hands `messages` to the handler under the consumer failure policy: retryable AppErrors are
 * retried with backoff indefinitely; other errors up to `maxRetries` times, after which the batch
 * is bisected until the failing message(s) are isolated and dead-lettered, while the rest are
 * handled in their original order. Returns how many messages were dead-lettered.
 */
export async function processWithPolicy<M>(messages: M[], deps: FailurePolicyDeps<M>): Promise<number> {
  if (messages.length === 0) return 0;
  const first = await attempt(messages, deps.maxRetries + 1, deps);
  if (first.ok) return 0;
  return isolate(messages, first.err, first.attempts, deps);
}

async function isolate<M>(
  messages: M[],
  err: unknown,
  attempts: number,
  deps: FailurePolicyDeps<M>,
): Promise<number> {
  if (messages.length === 1) {
    await deps.deadLetter(messages, err, attempts);
    return 1;
  }
  const middle = Math.ceil(messages.length / 2);
  let deadLettered = 0;
  for (const half of [messages.slice(0, middle), messages.slice(middle)]) {
    // A lone message gets one more try: a flaky failure should not dead-letter a good message.
    const outcome = await attempt(half, half.length === 1 ? Math.min(2, deps.maxRetries + 1) : 1, deps);
    if (!outcome.ok) deadLettered += await isolate(half, outcome.err, attempts + outcome.attempts, deps);
  }
  return deadLettered;
}
