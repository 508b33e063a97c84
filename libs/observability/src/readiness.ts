/** A dependency check: resolves true/undefined when healthy; false, a throw or a timeout is not. */
export type ReadinessProbe = () => Promise<boolean | void> | boolean | void;

/**
 * Turns named probes into the `readiness` function `registerHttpBasics` takes. Probes run in
 * parallel, each bounded by `timeoutMs` (default 2s), so one hung dependency cannot hang /readyz.
 *
 * ```ts
 * readiness: createReadiness({
 *   postgres: async () => { await pool.query('SELECT 1'); },
 *   accessKeys: () => directory.ready(),
 * })
 * ```
 */
export function createReadiness(
  probes: Record<string, ReadinessProbe>,
  opts: { timeoutMs?: number } = {},
): () => Promise<Record<string, boolean>> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  return async () => {
    const entries = await Promise.all(
      Object.entries(probes).map(async ([name, probe]): Promise<[string, boolean]> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        try {
          const outcome = await Promise.race([Promise.resolve().then(probe), timeout]);
          return [name, outcome !== false];
        } catch {
          return [name, false];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return Object.fromEntries(entries);
  };
}
