import { hostname } from 'node:os';
import pino from 'pino';
import { REDACTED, REDACT_PATHS, redactObject, redactStrings, redactText } from './redaction';

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
 * values in messages, which key-based redaction cannot see.
 */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return redactStrings(err);
  return redactObject(redactStrings(pino.stdSerializers.err(err)), () => REDACTED);
}

interface RequestLike {
  method?: unknown;
  url?: unknown;
  id?: unknown;
  routeOptions?: { url?: unknown };
}

/** Requests log method, path (query dropped: it may carry identifiers) and id, nothing else. */
function serializeRequest(req: unknown): unknown {
  if (req === null || typeof req !== 'object') return req;
  const r = req as RequestLike;
  const url = typeof r.url === 'string' ? redactText(r.url.split('?')[0] ?? '') : undefined;
  return { method: r.method, url, route: r.routeOptions?.url, id: r.id };
}

function serializeResponse(res: unknown): unknown {
  if (res === null || typeof res !== 'object' || !('statusCode' in res)) return undefined;
  return { statusCode: res.statusCode };
}

/**
 * The platform logger: pino JSON where personal data and credentials are replaced by
 * `[REDACTED]` wherever they sit (property names in `SENSITIVE_KEYS`, identifier values), error
 * text is scrubbed, and request objects are reduced to method and path. The logger name is the
 * `service` field rather than pino's `name`, so a top-level `name` (a person's) is redacted too.
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.name, pid: process.pid, hostname: hostname() },
    // Fixed paths are cheap and also cover child bindings; the walker below covers any depth.
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: {
      err: serializeError,
      error: serializeError,
      req: serializeRequest,
      res: serializeResponse,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactObject(object, serializeError) as Record<string, unknown>,
      bindings: (bindings) => redactObject(bindings, serializeError) as Record<string, unknown>,
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
