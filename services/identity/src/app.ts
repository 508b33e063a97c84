import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { KeyDirectory } from '@tessera/access';
import { postgresReadiness } from '@tessera/db';
import { createHttpServer, createReadiness } from '@tessera/observability';
import type { Logger } from '@tessera/observability';
import { historyRoutes } from './features/history/history-routes';
import type { UnmergeService } from './features/unmerge/unmerge-service';

export interface IdentityAppDeps {
  logger: Logger;
  registry: Registry;
  pool: pg.Pool;
  redis: Redis;
  keys: KeyDirectory;
  unmerge: UnmergeService;
  /** Extra readiness checks (e.g. the consumers are running). */
  readiness?: Record<string, () => boolean>;
}

/** The identity HTTP API: health, metrics, profile history and unmerge. Never listens. */
export async function buildApp(deps: IdentityAppDeps): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    readiness: createReadiness({
      postgres: postgresReadiness(deps.pool),
      redis: async () => (await deps.redis.ping()) === 'PONG',
      accessKeys: () => deps.keys.ready(),
      ...deps.readiness,
    }),
  });
  await app.register(historyRoutes, { db: deps.pool, keys: deps.keys, unmerge: deps.unmerge });
  return app;
}
