import { createHttpServer, createLogger, createMetricsRegistry } from '@tessera/observability';
import type { FastifyInstance } from 'fastify';
import { generateApiKey } from './api-key';
import { createStaticKeyDirectory } from './key-directory';
import { apiKeyOf, requireAuth } from './require-auth';

describe('requireAuth', () => {
  const writer = generateApiKey({ name: 'writer', scopes: ['ingest:write'], sourceId: 'web' });
  let app: FastifyInstance;

  beforeAll(async () => {
    const logger = createLogger({ name: 'test', level: 'silent' });
    app = createHttpServer({
      logger,
      registry: createMetricsRegistry({ service: 'test', collectDefault: false }),
      readiness: async () => ({}),
    });
    const directory = createStaticKeyDirectory([writer.record]);
    app.post(
      '/v1/batch',
      { preHandler: requireAuth(directory, 'ingest:write', { basic: true }) },
      async (request) => ({
        sourceId: apiKeyOf(request).sourceId,
      }),
    );
    app.get('/v1/profiles', { preHandler: requireAuth(directory, 'profile:read') }, async () => ({
      ok: true,
    }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it('should set request.apiKey for a valid key with the scope', async () => {
    const basic = `Basic ${Buffer.from(`${writer.token}:`).toString('base64')}`;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basic },
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sourceId: 'web' });
  });

  it('should answer 401 with a challenge when the header is missing', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/batch', payload: {} });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Basic');
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('should answer 403 naming the scope the key lacks', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/profiles',
      headers: { authorization: `Bearer ${writer.token}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('profile:read') });
  });
});
