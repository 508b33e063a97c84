import type { Logger } from '@tessera/observability';

export interface PeriodicJob {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
}

/**
 * Runs jobs on their interval, never overlapping with themselves. A failing run is logged (warn: the
 * next run retries) and does not stop the schedule. `stop()` waits for runs in flight.
 */
export function startJobs(jobs: readonly PeriodicJob[], logger: Logger): { stop(): Promise<void> } {
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  for (const job of jobs) {
    let running = false;
    const tick = () => {
      if (stopped || running) return;
      running = true;
      const p = job
        .run()
        .catch((err: unknown) =>
          logger.warn({ err, job: job.name }, 'periodic job failed; retrying next interval'),
        )
        .finally(() => {
          running = false;
          inFlight.delete(p);
        });
      inFlight.add(p);
    };
    timers.push(setInterval(tick, job.intervalMs));
    tick();
  }
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...inFlight]);
    },
  };
}
