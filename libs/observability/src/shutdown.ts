import type { Logger } from './logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Budget for all steps together (default 25s, under Kubernetes' 30s grace period). */
  timeoutMs?: number;
  /** `installShutdown` also installs `installCrashHandlers` (default true). */
  crashHandlers?: boolean;
}

export interface ShutdownResult {
  /** True when every step finished without error inside the budget. */
  ok: boolean;
  failed: string[];
  timedOut: boolean;
}

const DEFAULT_TIMEOUT_MS = 25_000;

/**
 * Runs shutdown steps in order (stop consumers before flushing producers before closing the
 * HTTP server and pools). A failing step is logged and the next one still runs: a broken
 * consumer must not keep the producer from flushing. The whole sequence is bounded.
 */
export async function runShutdown(steps: ShutdownStep[], opts: ShutdownOptions): Promise<ShutdownResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const failed: string[] = [];
  let current: string | undefined;

  const sequence = (async () => {
    for (const step of steps) {
      current = step.name;
      const startedAt = Date.now();
      try {
        await step.run();
        opts.logger.info({ step: step.name, durationMs: Date.now() - startedAt }, 'shutdown step done');
      } catch (err) {
        failed.push(step.name);
        opts.logger.warn({ err, step: step.name }, 'shutdown step failed');
      }
    }
    current = undefined;
  })();

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  const outcome = await Promise.race([sequence.then(() => 'done' as const), timeout]);
  if (timer) clearTimeout(timer);

  if (outcome === 'timeout') {
    opts.logger.error({ step: current, timeoutMs }, 'shutdown timed out');
    return { ok: false, failed, timedOut: true };
  }
  return { ok: failed.length === 0, failed, timedOut: false };
}

/**
 * On the first SIGTERM or SIGINT runs `runShutdown` and exits (0 if clean, 1 otherwise); a
 * second signal exits at once. Returns a function that removes the handlers (tests, CLIs).
 */
export function installShutdown(steps: ShutdownStep[], opts: ShutdownOptions): () => void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      opts.logger.warn({ signal }, 'second signal during shutdown, exiting now');
      process.exit(1);
    }
    started = true;
    opts.logger.info({ signal }, 'shutting down');
    void runShutdown(steps, opts).then(
      (result) => {
        opts.logger.info({ ok: result.ok, failed: result.failed }, 'shutdown complete');
        process.exit(result.ok ? 0 : 1);
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'shutdown crashed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const removeCrashHandlers =
    opts.crashHandlers === false ? () => undefined : installCrashHandlers(opts.logger);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    removeCrashHandlers();
  };
}

/**
 * Uncaught exceptions and unhandled rejections are logged through the (redacting) logger at
 * fatal and the process exits 1 for the orchestrator to restart it: the state is unknown, and
 * Node's default dump to stderr would bypass redaction. Returns a function removing them.
 */
export function installCrashHandlers(logger: Logger): () => void {
  const onCrash = (err: unknown, origin: string) => {
    logger.fatal({ err, origin }, 'process crashed');
    process.exit(1);
  };
  const onRejection = (reason: unknown) => onCrash(reason, 'unhandledRejection');
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onRejection);
  };
}
