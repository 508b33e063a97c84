/** Polls `probe` until it returns true or `timeoutMs` passes; resolves to whether it succeeded. */
export async function pollUntil(
  probe: () => boolean | Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}
