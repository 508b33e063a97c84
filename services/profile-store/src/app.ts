import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { KeyDirectory } from '@tessera/access';
import { postgresReadiness } from '@tessera/db';
import { createHttpServer, createReadiness, type Logger, type ReadinessProbe } from '@tessera/observability';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { profileRoutes } from './features/profiles/profile-routes';
import type { ProfileService } from './features/profiles/profile-service';

export interface ProfileStoreAppDeps {
  logger: Logger;
  registry: Registry;
  pool: pg.Pool;
  keys: KeyDirectory;
  profiles: ProfileService;
  /** Extra readiness checks (consumers running, outbox relay alive). */
  readiness?: Record<string, ReadinessProbe>;
}

/** The profile API with OpenAPI docs at /docs, health and metrics. Never listens. */
export async function buildApp(deps: ProfileStoreAppDeps): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    readiness: createReadiness({
      postgres: postgresReadiness(deps.pool),
      accessKeys: () => deps.keys.ready(),
      ...deps.readiness,
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Tessera profile store',
        version: '1.0.0',
        description: 'Golden records, timelines, identities and traits with provenance.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key: tsk_<keyId>_<secret>' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(profileRoutes, { keys: deps.keys, profiles: deps.profiles });
  return app;
}
