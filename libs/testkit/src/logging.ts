import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@tessera/observability';

/** The platform logger, silent unless TEST_LOG=1 (then debug level on stdout). */
export function testLogger(name = 'test'): Logger {
  return createLogger({ name, level: process.env.TEST_LOG === '1' ? 'debug' : 'silent' });
}

/**
 * A platform logger whose output is kept in memory, for asserting what reaches the logs (e.g.
 * that an email never does). `lines()` are the raw JSON lines, `entries()` parsed.
 */
export function captureLogs(opts: { name?: string; level?: string } = {}): {
  logger: Logger;
  lines(): string[];
  entries(): Array<Record<string, unknown>>;
  text(): string;
} {
  const lines: string[] = [];
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.length > 0) lines.push(line);
      callback();
    },
  });
  const logger = createLogger({ name: opts.name ?? 'test', level: opts.level ?? 'trace', destination });
  return {
    logger,
    lines: () => [...lines],
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}
