import { createLogger } from './logger';
import { runShutdown } from './shutdown';

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
