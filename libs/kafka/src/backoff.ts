/** Exponential backoff: initial * 2^attempt, capped, with up to 20% jitter below the value. */
export function backoffDelay(
  attempt: number,
  opts: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const base = Math.min(opts.initialMs * 2 ** exponent, opts.maxMs);
  return Math.round(base * (1 - 0.2 * random()));
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
