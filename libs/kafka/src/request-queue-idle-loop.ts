import { createRequire } from 'node:module';

/**
 * KafkaJS 2.2.4 (the latest release) re-arms a timer in every broker connection's request queue
 * after each check, even when no request waits; with no throttling in effect the delay is
 * negative, which Node runs after 1 ms, forever (tulios/kafkajs#1556; the fix in #1667 is not
 * released). Every connection of every client then wakes the event loop about a thousand times a
 * second: measured here at 5–7 % of a core per idle service, and the same wake-ups under load.
 *
 * The timer only matters while requests wait (in-flight limit or broker throttling), and a
 * request queued later schedules its own check when it is pushed. So: nothing pending, no timer.
 * Everything else in the queue is KafkaJS' own code.
 */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

/** The members of KafkaJS' internal RequestQueue this patch reads and replaces. */
export interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** KafkaJS' interval for re-checking waiting requests when not throttled (its constant, 10 ms). */
const RECHECK_INTERVAL_MS = 10;

function scheduleCheckWhilePending(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : RECHECK_INTERVAL_MS,
  );
}

type RequestQueueClass = { prototype: RequestQueueInternals };

const isRequestQueueClass = (value: unknown): value is RequestQueueClass =>
  typeof value === 'function' &&
  typeof (value as { prototype?: Partial<RequestQueueInternals> }).prototype?.scheduleCheckPendingRequests ===
    'function';

let outcome: 'patched' | 'skipped' | undefined;

/**
 * Replaces the scheduling in the KafkaJS release it was written against; any other version is
 * left alone (`skipped`) and `request-queue-idle-loop.test.ts` fails, so an upgrade re-checks it.
 * Idempotent; the class is shared by every client in the process.
 */
export function patchRequestQueueIdleLoop(): 'patched' | 'skipped' {
  if (outcome) return outcome;
  const load = createRequire(require.resolve('kafkajs'));
  const { version } = load('./package.json') as { version: string };
  const RequestQueue: unknown = load('./src/network/requestQueue');
  if (version !== PATCHED_KAFKAJS_VERSION || !isRequestQueueClass(RequestQueue)) return (outcome = 'skipped');
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckWhilePending;
  return (outcome = 'patched');
}
