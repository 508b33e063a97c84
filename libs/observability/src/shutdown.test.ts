import { createLogger } from './logger';
import { installShutdown, runShutdown } from './shutdown';

function quietLogger() {
  const lines: string[] = [];
  return {
    logger: createLogger({ name: 'test', destination: { write: (l: string) => lines.push(l) } }),
    lines,
  };
}

describe('runShutdown', () => {
  it('should run the steps in order and report success', async () => {
    const order: string[] = [];
    const { logger } = quietLogger();
    const result = await runShutdown(
      ['consumers', 'producer', 'http'].map((name) => ({ name, run: async () => void order.push(name) })),
      { logger },
    );
    expect(order).toEqual(['consumers', 'producer', 'http']);
    expect(result).toEqual({ ok: true, failed: [], timedOut: false });
  });

  it('should continue after a failing step and report it', async () => {
    const order: string[] = [];
    const { logger } = quietLogger();
    const result = await runShutdown(
      [
        { name: 'consumers', run: async () => Promise.reject(new Error('stuck')) },
        { name: 'producer', run: async () => void order.push('producer') },
      ],
      { logger },
    );
    expect(order).toEqual(['producer']);
    expect(result).toEqual({ ok: false, failed: ['consumers'], timedOut: false });
  });

  it('should give up after the timeout', async () => {
    const { logger, lines } = quietLogger();
    const result = await runShutdown([{ name: 'hangs', run: () => new Promise<void>(() => undefined) }], {
      logger,
      timeoutMs: 50,
    });
    expect(result.timedOut).toBe(true);
    expect(result.ok).toBe(false);
    expect(lines.join('')).toContain('"step":"hangs"');
  });
});

describe('installShutdown', () => {
  it('should run the steps once on SIGTERM and exit 0', async () => {
    const order: string[] = [];
    const { logger } = quietLogger();
    let exitCode: number | undefined;
    const exit = jest.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
      exitCode = Number(code ?? 0);
      return undefined as never;
    });
    const uninstall = installShutdown(
      [
        { name: 'consumers', run: async () => void order.push('consumers') },
        { name: 'http', run: async () => void order.push('http') },
      ],
      { logger, crashHandlers: false },
    );
    try {
      process.emit('SIGTERM', 'SIGTERM');
      for (let i = 0; i < 100 && exitCode === undefined; i += 1)
        await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual(['consumers', 'http']);
      expect(exitCode).toBe(0);
    } finally {
      uninstall();
      exit.mockRestore();
    }
  });
});
