import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { KeyDirectory } from '@tessera/access';
import { FieldEncryptor, LocalKeyring, type IdentifierHasher } from '@tessera/crypto';
import type { TypedProducer } from '@tessera/kafka';
import { createHttpServer, createReadiness, type Logger, type ReadinessProbe } from '@tessera/observability';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { IngestConfig } from './config';
import { sourceAdminRoutes } from './features/admin/source-admin-routes';
import {
  createWebhookCredentials,
  createWebhookVerifierResolver,
  type WebhookCredentials,
} from './features/connectors/webhook-credentials';
import { webhookRoutes } from './features/connectors/webhook-routes';
import { createSourceSettings } from './features/sources/source-settings';
import type { SuppressionChecker } from './features/privacy/suppression-list';
import { createSourceResolver, type SourceResolver } from './features/sources/source-resolver';
import type { SourceStore } from './features/sources/source-store';
import type { ImportStore } from './features/imports/import-store';
import { createRedisDeduplicator } from './features/tracking/dedupe';
import { createIngestMetrics } from './features/tracking/ingest-metrics';
import { createIngestService, type IngestService } from './features/tracking/ingest-service';
import { createRedisRateLimiter } from './features/tracking/rate-limit';
import { BATCH_LIMIT_BYTES, jsonSchema, trackingRoutes } from './features/tracking/tracking-routes';
import { ErrorBodySchema } from '@tessera/contracts';

export type IngestAppConfig = Pick<
  IngestConfig,
  | 'REDIS_KEY_PREFIX'
  | 'INGEST_DEDUPE_WINDOW_SECONDS'
  | 'INGEST_RATE_LIMIT_PER_SECOND'
  | 'INGEST_ALLOW_UNREGISTERED_SOURCES'
  | 'INGEST_DEFAULT_CHANNEL'
  | 'INGEST_DEFAULT_REGION'
  | 'INGEST_SOURCE_CACHE_SECONDS'
> &
  // Optional here so embedders that predate them (tests, benches) need not set them.
  Partial<Pick<IngestConfig, 'INGEST_SECRETS_KEYRING' | 'INGEST_WEBHOOK_TOLERANCE_SECONDS'>>;

/** Default of INGEST_WEBHOOK_TOLERANCE_SECONDS: SendGrid documents none; five minutes is the webhook norm. */
const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Seals and opens webhook credentials stored with sources (the API's and the CLI's). */
export function createWebhookCredentialsFromConfig(
  config: Partial<Pick<IngestConfig, 'INGEST_SECRETS_KEYRING' | 'INGEST_WEBHOOK_TOLERANCE_SECONDS'>>,
): WebhookCredentials {
  return createWebhookCredentials({
    encryptor: config.INGEST_SECRETS_KEYRING
      ? new FieldEncryptor(LocalKeyring.fromString(config.INGEST_SECRETS_KEYRING))
      : undefined,
    defaultToleranceSeconds: config.INGEST_WEBHOOK_TOLERANCE_SECONDS ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  });
}

export interface IngestAppDeps {
  logger: Logger;
  registry: Registry;
  keys: KeyDirectory;
  producer: Pick<TypedProducer, 'publish'>;
  redis: Redis;
  /** Source rows: read on the tracking path, written by the admin API. */
  sources: SourceStore;
  /** CSV import checkpoints (ingest.imports). */
  imports: ImportStore;
  suppression: SuppressionChecker;
  hasher: IdentifierHasher;
  /** Readiness checks beyond Redis and the key directory (Postgres, suppression list, producer). */
  readiness?: Record<string, ReadinessProbe>;
  /** The pipeline shared with the intake consumer; built from the deps above when absent. */
  ingest?: IngestService;
  now?: () => Date;
}

/**
 * The validate → rate-limit → suppress → dedupe → publish → mark pipeline, shared by the HTTP
 * routes, the Kafka intake consumer and CSV imports so every entrance validates identically.
 */
export function createIngestPipeline(
  config: Pick<IngestAppConfig, 'REDIS_KEY_PREFIX' | 'INGEST_DEDUPE_WINDOW_SECONDS'>,
  deps: Pick<IngestAppDeps, 'producer' | 'redis' | 'suppression' | 'hasher' | 'registry' | 'logger'>,
): IngestService {
  return createIngestService({
    publisher: deps.producer,
    dedupe: createRedisDeduplicator(deps.redis, {
      keyPrefix: config.REDIS_KEY_PREFIX,
      windowSeconds: config.INGEST_DEDUPE_WINDOW_SECONDS,
    }),
    limiter: createRedisRateLimiter(deps.redis, { keyPrefix: config.REDIS_KEY_PREFIX }),
    suppression: deps.suppression,
    hasher: deps.hasher,
    metrics: createIngestMetrics(deps.registry),
    logger: deps.logger,
  });
}

/** How source ids resolve to their settings, from config. */
export function createSources(config: IngestAppConfig, store: Pick<SourceStore, 'get'>): SourceResolver {
  return createSourceResolver({
    store,
    cacheMs: config.INGEST_SOURCE_CACHE_SECONDS * 1000,
    allowUnregistered: config.INGEST_ALLOW_UNREGISTERED_SOURCES,
    defaults: {
      channel: config.INGEST_DEFAULT_CHANNEL,
      region: config.INGEST_DEFAULT_REGION,
      rateLimitPerSecond: config.INGEST_RATE_LIMIT_PER_SECOND,
    },
  });
}

/**
 * Ingest's HTTP API (Segment-compatible tracking, connectors, signed vendor webhooks, imports,
 * source administration) with OpenAPI at /docs, health and metrics. Never listens.
 */
export async function buildApp(config: IngestAppConfig, deps: IngestAppDeps): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    // The ingest parser enforces per-route limits on the decompressed body; this caps wire bytes.
    bodyLimit: BATCH_LIMIT_BYTES,
    trustProxy: true,
    readiness: createReadiness({
      redis: async () => {
        await deps.redis.ping();
      },
      accessKeys: () => deps.keys.ready(),
      ...deps.readiness,
    }),
  });
  const ingest = deps.ingest ?? createIngestPipeline(config, deps);
  const sources = createSources(config, deps.sources);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Tessera ingest',
        version: '1.0.0',
        description:
          'Segment-compatible tracking API. Point any Segment SDK at this host with a Tessera write key.',
      },
      components: {
        securitySchemes: {
          basic: {
            type: 'http',
            scheme: 'basic',
            description: 'Write key as the username, empty password (Segment convention)',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'Write key: tsk_<keyId>_<secret>' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const credentials = createWebhookCredentialsFromConfig(config);
  const verifiers = createWebhookVerifierResolver({
    store: deps.sources,
    credentials,
    cacheMs: config.INGEST_SOURCE_CACHE_SECONDS * 1000,
  });
  const now = deps.now ?? (() => new Date());
  const errorResponses = Object.fromEntries(
    [400, 401, 403, 404, 409, 413, 415, 429, 503].map((s) => [s, jsonSchema(ErrorBodySchema)]),
  );
  // The connector routes inside the tracking plugin check signatures of sources that require them.
  app.decorate('webhookVerifiers', verifiers);
  await app.register(trackingRoutes, {
    keys: deps.keys,
    sources,
    ingest,
    imports: deps.imports,
    ...(deps.now ? { now: deps.now } : {}),
  });
  await app.register(webhookRoutes, { sources, verifiers, ingest, now, jsonSchema, errorResponses });
  await app.register(sourceAdminRoutes, {
    keys: deps.keys,
    producer: deps.producer,
    settings: createSourceSettings({
      store: deps.sources,
      credentials,
      onChange: (id) => {
        sources.invalidate(id);
        verifiers.invalidate(id);
      },
    }),
    jsonSchema,
    errorResponses,
  });
  return app;
}
