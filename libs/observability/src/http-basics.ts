import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, type Registry } from 'prom-client';
import { mapError } from './error-mapping';

export const REQUEST_ID_HEADER = 'x-request-id';
const DURATION_METRIC = 'tessera_http_request_duration_seconds';
const ERRORS_METRIC = 'tessera_http_errors_total';

export interface HttpBasicsOptions {
  registry: Registry;
  /** Each dependency check by name -> ok. Throwing counts as not ready. */
  readiness: () => Promise<Record<string, boolean>>;
}

function durationHistogram(registry: Registry): Histogram<'route' | 'method' | 'status_code'> {
  const existing = registry.getSingleMetric(DURATION_METRIC);
  if (existing instanceof Histogram) return existing as Histogram<'route' | 'method' | 'status_code'>;
  return new Histogram({
    name: DURATION_METRIC,
    help: 'HTTP request duration by route template, method and status code',
    labelNames: ['route', 'method', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

function errorCounter(registry: Registry): Counter<'code' | 'status_code'> {
  const existing = registry.getSingleMetric(ERRORS_METRIC);
  if (existing instanceof Counter) return existing as Counter<'code' | 'status_code'>;
  return new Counter({
    name: ERRORS_METRIC,
    help: 'Error responses by error code (alert on INTERNAL, watch UNAUTHENTICATED/WRITE_KEY_REVOKED spikes)',
    labelNames: ['code', 'status_code'],
    registers: [registry],
  });
}

/** The route template (`/v1/profiles/:id`), never the raw URL: bounded label values, no PII. */
function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/**
 * Health, readiness and metrics routes, the one error handler and the not-found handler, the
 * request-id response header, and the request duration histogram. Call it on the root instance
 * before registering feature routes, so every route inherits the handler and hooks.
 */
export function registerHttpBasics(app: FastifyInstance, opts: HttpBasicsOptions): void {
  const histogram = durationHistogram(opts.registry);
  const errors = errorCounter(opts.registry);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = routeLabel(request);
    histogram.observe(
      { route, method: request.method, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    request.log.debug(
      {
        method: request.method,
        route,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });

  app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = mapError(error);
    errors.inc({ code: mapped.body.code, status_code: String(mapped.statusCode) });
    const context = {
      code: mapped.body.code,
      statusCode: mapped.statusCode,
      method: request.method,
      route: routeLabel(request),
    };
    if (mapped.expected) {
      // Client errors are routine: the code is enough, and their messages may echo input.
      request.log.info(context, 'request rejected');
    } else if (mapped.transient) {
      request.log.warn({ ...context, err: error }, 'request failed on an unavailable dependency');
    } else {
      request.log.error({ ...context, err: error }, 'request failed');
    }
    return reply
      .code(mapped.statusCode)
      .headers(mapped.headers)
      .send({ ...mapped.body, requestId: request.id });
  });

  app.setNotFoundHandler(async (request, reply) => {
    request.log.info({ code: 'NOT_FOUND', method: request.method }, 'route not found');
    errors.inc({ code: 'NOT_FOUND', status_code: '404' });
    return reply.code(404).send({ code: 'NOT_FOUND', message: 'route not found', requestId: request.id });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    let checks: Record<string, boolean>;
    try {
      checks = await opts.readiness();
    } catch (err) {
      request.log.warn({ err }, 'readiness probe failed');
      return reply.code(503).send({ status: 'not_ready', checks: {} });
    }
    if (Object.values(checks).every(Boolean)) return { status: 'ready', checks };
    return reply.code(503).send({ status: 'not_ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await opts.registry.metrics();
    return reply.type(opts.registry.contentType).send(body);
  });
}

/**
 * `registerHttpBasics` as a named fastify plugin (not encapsulated, so the error handler and
 * hooks apply to the whole app), for apps assembled with `app.register`.
 */
export const httpBasicsPlugin = fp<HttpBasicsOptions>(
  async (app, opts) => {
    registerHttpBasics(app, opts);
  },
  { name: 'tessera-http-basics', fastify: '5.x' },
);
