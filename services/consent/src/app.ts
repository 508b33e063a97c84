import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { KeyDirectory } from '@tessera/access';
import { postgresReadiness } from '@tessera/db';
import { createHttpServer, createReadiness } from '@tessera/observability';
import type { Logger } from '@tessera/observability';
import type { ConsentCore } from './consent-core';
import { dsrRoutes } from './features/dsr/dsr-routes';
import { consentRoutes } from './features/ledger/consent-routes';

export interface ConsentAppDeps {
  logger: Logger;
  registry: Registry;
  pool: pg.Pool;
  keys: KeyDirectory;
  core: ConsentCore;
  /** Extra readiness checks (e.g. the consumers are running). */
  readiness?: Record<string, () => boolean>;
}

/** The consent HTTP API: consent records and state, data-subject requests, audit verification. Never listens. */
export async function buildApp(deps: ConsentAppDeps): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    readiness: createReadiness({
      postgres: postgresReadiness(deps.pool),
      accessKeys: () => deps.keys.ready(),
      ...deps.readiness,
    }),
  });
  await app.register(consentRoutes, {
    keys: deps.keys,
    consent: deps.core.consent,
    hasher: deps.core.hasher,
    purposes: deps.core.purposes,
    afterWrite: () => deps.core.relay.flush(),
    logger: deps.logger,
  });
  await app.register(dsrRoutes, {
    keys: deps.keys,
    dsr: deps.core.dsr,
    audit: deps.core.audit,
    logger: deps.logger,
  });
  return app;
}
