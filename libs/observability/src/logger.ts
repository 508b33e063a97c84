import pino from 'pino';
import { REDACTED, REDACT_PATHS, redactStrings } from './redaction';

export type Logger = pino.Logger;

export interface CreateLoggerOptions {
  /** Service or tool name; emitted as `service` on every line. */
  name: string;
  level?: string;
  /** Where lines go (default stdout). Tests pass a capturing stream. */
  destination?: pino.DestinationStream;
}

/**
 * Errors are serialized with pino's standard serializer (type, message, stack, causes, own
 * enumerable fields such as pg's `detail`), then every string is scrubbed: drivers embed row
 * values in messages, which path-based redaction cannot see.
 */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return redactStrings(err);
  return redactStrings(pino.stdSerializers.err(err));
}

/**
 * The platform logger: pino JSON with PII and secrets redacted at the paths services log
 * (see `REDACT_PATHS`) and error text scrubbed. The logger name is the `service` field rather
 * than pino's `name`, so a top-level `name` (a person's) can be redacted like any other.
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.name, pid: process.pid },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: serializeError, error: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
