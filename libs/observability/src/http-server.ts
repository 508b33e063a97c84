import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { REQUEST_ID_HEADER, registerHttpBasics } from './http-basics';
import type { Logger } from './logger';

export interface HttpServerOptions {
  logger: Logger;
  registry: Registry;
  readiness: () => Promise<Record<string, boolean>>;
  /** Largest accepted body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Trust X-Forwarded-* from these proxy addresses (default false). */
  trustProxy?: boolean | string | string[];
}

// Incoming ids are echoed into logs and headers: accept only short, plain tokens.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a well-formed incoming `x-request-id` (tracing across services), else a new UUID. */
export function requestIdFrom(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

/**
 * The fastify instance every service builds on: the platform logger (per-request child
 * loggers carry `reqId`), request ids, no per-request info logging (the duration histogram and
 * debug lines cover it; at ingest rates info lines per request are noise), and
 * `registerHttpBasics` applied. Feature routes are registered on the result.
 */
export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    // Upcast so the instance has the default `FastifyInstance` type services and plugins expect.
    loggerInstance: opts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: requestIdFrom,
  });
  registerHttpBasics(app, { registry: opts.registry, readiness: opts.readiness });
  return app;
}
