import { randomBytes } from 'node:crypto';

export interface WaitForOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 50 ms. */
  intervalMs?: number;
  /** Used in the timeout error. */
  message?: string;
}

/**
 * Polls `probe` until it returns something other than undefined/false and returns that. A probe
 * that throws is retried; on timeout the last error (if any) is the cause.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  opts: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = opts.message ?? 'condition';
      throw new Error(
        `waitFor: ${what} not met within ${timeoutMs} ms`,
        lastError ? { cause: lastError } : undefined,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `prefix` plus 10 random hex characters: unique names for groups, keys, databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}
