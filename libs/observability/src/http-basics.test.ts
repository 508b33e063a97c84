import { AppError } from '@tessera/contracts';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { httpBasicsPlugin } from './http-basics';
import { createHttpServer } from './http-server';
import { createLogger } from './logger';
import { createMetricsRegistry } from './metrics';

interface Harness {
  app: FastifyInstance;
  lines: () => Array<Record<string, unknown>>;
}

async function harness(
  readiness: () => Promise<Record<string, boolean>> = async () => ({ db: true }),
): Promise<Harness> {
  const raw: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: { write: (line: string) => raw.push(line) },
  });
  const registry = createMetricsRegistry({ service: 'test', collectDefault: false });
  const app = createHttpServer({ logger, registry, readiness, bodyLimit: 1024 });
  app.get('/app-error', async () => {
    throw new AppError('WRITE_KEY_REVOKED', 'write key revoked', {
      statusCode: 401,
      headers: { 'www-authenticate': 'Bearer' },
    });
  });
  app.get('/validation', async () => {
    throw new AppError('VALIDATION_FAILED', 'request failed validation', {
      statusCode: 400,
      details: [{ path: 'batch.0.userId', message: 'Required' }],
    });
  });
  app.get('/db-down', async () => {
    throw new AppError('UPSTREAM_UNAVAILABLE', 'database unavailable', { statusCode: 503, retryable: true });
  });
  app.get('/zod', async () => z.object({ userId: z.string() }).parse({}));
  app.get('/crash', async () => {
    throw new Error('password authentication failed for user "jane@example.com"');
  });
  app.post('/echo', async (request) => ({ received: request.body }));
  app.post(
    '/schema',
    {
      schema: {
        body: {
          type: 'object',
          required: ['userId'],
          properties: { userId: { type: 'string' }, n: { type: 'integer' } },
        },
      },
    },
    async () => ({ ok: true }),
  );
  app.get('/things/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  await app.ready();
  return { app, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('registerHttpBasics', () => {
  let h: Harness;
  afterEach(async () => {
    await h.app.close();
  });

  it('should answer /healthz with ok', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('should answer /readyz with 200 when every check passes and 503 otherwise', async () => {
    let dbOk = true;
    h = await harness(async () => ({ db: dbOk, kafka: true }));
    const ok = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ready', checks: { db: true, kafka: true } });
    dbOk = false;
    const notOk = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(notOk.statusCode).toBe(503);
    expect(notOk.json()).toEqual({ status: 'not_ready', checks: { db: false, kafka: true } });
  });

  it('should answer /readyz with 503 when the readiness probe throws', async () => {
    h = await harness(async () => {
      throw new Error('probe exploded');
    });
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: {} });
  });

  it('should expose request durations labelled by route template on /metrics', async () => {
    h = await harness();
    await h.app.inject({ method: 'GET', url: '/things/42' });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /tessera_http_request_duration_seconds_count\{[^}]*route="\/things\/:id"[^}]*\} 1/,
    );
    expect(res.body).toContain('service="test"');
    expect(res.body).not.toContain('/things/42');
  });

  it('should count error responses by code on /metrics', async () => {
    h = await harness();
    await h.app.inject({ method: 'GET', url: '/app-error' });
    await h.app.inject({ method: 'GET', url: '/crash' });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/tessera_http_errors_total\{[^}]*code="WRITE_KEY_REVOKED"[^}]*\} 1/);
    expect(res.body).toMatch(/tessera_http_errors_total\{[^}]*code="INTERNAL"[^}]*\} 1/);
  });

  it('should map an AppError to its status, headers and body with the request id', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/app-error' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    const body = res.json();
    expect(body).toEqual({
      code: 'WRITE_KEY_REVOKED',
      message: 'write key revoked',
      requestId: res.headers['x-request-id'],
    });
  });

  it('should return AppError details with their paths', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/validation' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'batch.0.userId', message: 'Required' }],
    });
  });

  it('should map an escaped ZodError to 400 VALIDATION_FAILED', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/zod' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'userId' }] });
  });

  it('should map fastify schema validation errors to 400 VALIDATION_FAILED with paths', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'POST', url: '/schema', payload: { n: 'x' } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['userId']));
  });

  it('should map malformed JSON to 400 MALFORMED_JSON without echoing the body', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "jane@example.com",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MALFORMED_JSON' });
    expect(res.body).not.toContain('jane@example.com');
    expect(JSON.stringify(h.lines())).not.toContain('jane@example.com');
  });

  it('should map an empty JSON body to 400 MALFORMED_JSON', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('should map prototype poisoning attempts to 400 MALFORMED_JSON', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('should map a too large body to 413 PAYLOAD_TOO_LARGE', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'POST', url: '/echo', payload: { blob: 'x'.repeat(4096) } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('should map an unsupported content type to 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('should map unknown errors to 500 INTERNAL without leaking their message', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/crash' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      code: 'INTERNAL',
      message: 'internal error',
      requestId: res.headers['x-request-id'],
    });
    const errorLines = h.lines().filter((line) => line['level'] === 'error');
    expect(errorLines).toHaveLength(1);
    expect(JSON.stringify(errorLines)).not.toContain('jane@example.com');
  });

  it('should log client errors at info and server errors at error', async () => {
    h = await harness();
    await h.app.inject({ method: 'GET', url: '/app-error' });
    expect(
      h
        .lines()
        .filter((line) => line['msg'] === 'request rejected')
        .map((line) => line['level']),
    ).toEqual(['info']);
    await h.app.inject({ method: 'GET', url: '/crash' });
    expect(
      h
        .lines()
        .filter((line) => line['msg'] === 'request failed')
        .map((line) => line['level']),
    ).toEqual(['error']);
  });

  it('should log retryable dependency failures as warnings, not errors', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/db-down' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(h.lines().filter((line) => line['level'] === 'error')).toEqual([]);
    expect(h.lines().filter((line) => line['level'] === 'warn')).toHaveLength(1);
  });

  it('should answer unknown routes with 404 NOT_FOUND in the error shape', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/nope?email=jane@example.com' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      code: 'NOT_FOUND',
      message: 'route not found',
      requestId: res.headers['x-request-id'],
    });
    expect(JSON.stringify(h.lines())).not.toContain('jane@example.com');
  });

  it('should honour a well-formed incoming x-request-id and replace a malformed one', async () => {
    h = await harness();
    const honoured = await h.app.inject({
      method: 'GET',
      url: '/app-error',
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(honoured.headers['x-request-id']).toBe('trace-123');
    expect(honoured.json().requestId).toBe('trace-123');
    const replaced = await h.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('httpBasicsPlugin', () => {
  it('should apply the error handler to routes in encapsulated child plugins', async () => {
    const app = Fastify();
    await app.register(httpBasicsPlugin, {
      registry: createMetricsRegistry({ service: 'test', collectDefault: false }),
      readiness: async () => ({}),
    });
    await app.register(async (child) => {
      child.get('/child', async () => {
        throw new AppError('CONFLICT', 'already exists', { statusCode: 409 });
      });
    });
    const res = await app.inject({ method: 'GET', url: '/child' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CONFLICT', message: 'already exists' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await app.close();
  });
});
