import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { createStaticKeyDirectory, generateApiKey } from '@tessera/access';
import type { KeyDirectory } from '@tessera/access';
import type { Scope, TopicId } from '@tessera/contracts';
import { DefaultPurposes } from '@tessera/contracts';
import { LocalKeyring } from '@tessera/crypto';
import { createPool, migrate } from '@tessera/db';
import type { TypedProducer } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import { createTestDatabase, createTestKafka, testLogger } from '@tessera/testkit';
import type { TestDatabase, TestKafka } from '@tessera/testkit';
import type pg from 'pg';
import { createConsentCore } from '../consent-core';
import type { ConsentCore, ConsentCoreSettings } from '../consent-core';
import { migrations } from '../migrations';

export const HARNESS_TOPICS: TopicId[] = [
  'eventsResolved',
  'identityChanges',
  'profileUpdates',
  'consentChanges',
  'privacyCommands',
  'privacyStatus',
  'suppression',
  'audit',
];

export interface ConsentHarness {
  db: TestDatabase;
  pool: pg.Pool;
  kafka?: TestKafka;
  producer?: TypedProducer;
  /** Every raw publish (activation feeds) that went to Kafka through the harness producer. */
  rawPublished: Array<{ topic: string; key: string | null; value: string | Buffer | null }>;
  settings: ConsentCoreSettings;
  logger: Logger;
  /** A new core over the same database and producer (what a restarted process would build). */
  newCore(overrides?: Partial<ConsentCoreSettings>, opts?: { logger?: Logger }): ConsentCore;
  close(): Promise<void>;
}

const secret = () => randomBytes(32).toString('base64');

export function testSettings(
  prefix: string,
  overrides: Partial<ConsentCoreSettings> = {},
): ConsentCoreSettings {
  return {
    TOPIC_PREFIX: prefix,
    IDENTIFIER_HASH_KEY: secret(),
    PII_KEYRING: `k1:${LocalKeyring.generateKey()}`,
    AUDIT_SIGNING_KEY: secret(),
    CONSENT_EXTRA_PURPOSES: undefined,
    CONSENT_OPT_OUT_PURPOSES: ['sale_sharing'],
    DESTINATIONS_FILE: undefined,
    PROFILE_STORE_URL: 'http://127.0.0.1:9',
    IDENTITY_URL: 'http://127.0.0.1:9',
    PRIVACY_ADMIN_TOKEN: 'tsk_test',
    DSR_REQUIRED_SERVICES: ['identity', 'profile-store'],
    DSR_RESEND_AFTER_MS: 60_000,
    DSR_MAX_ATTEMPTS: 5,
    ...overrides,
  };
}

const refuse = () => Promise.reject(new Error('this test has no Kafka'));

/** Own database (migrated), optionally own Kafka prefix with the consent topics. */
export async function createConsentHarness(
  opts: { kafka?: boolean; settings?: Partial<ConsentCoreSettings> } = {},
): Promise<ConsentHarness> {
  const logger = testLogger('consent');
  const db = await createTestDatabase();
  const pool = createPool({ connectionString: db.url, schema: migrations.schema, max: 5, logger });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir, logger });
  let kafka: TestKafka | undefined;
  let producer: TypedProducer | undefined;
  if (opts.kafka) {
    kafka = await createTestKafka({ topics: HARNESS_TOPICS, partitions: 1 });
    producer = kafka.kafka.producer({ name: 'consent-test' });
    await producer.connect();
  }
  const settings = testSettings(kafka?.prefix ?? '', opts.settings);
  const rawPublished: ConsentHarness['rawPublished'] = [];
  // Activation feeds are not catalogue topics and the kafka lib only consumes catalogue topics, so
  // the test records raw publishes on their way to the real broker.
  const recording: Pick<TypedProducer, 'publish' | 'publishRaw'> | undefined = producer && {
    publish: (topic, messages, o) => producer.publish(topic, messages, o),
    async publishRaw(topic, messages) {
      await producer.publishRaw(topic, messages);
      for (const m of messages) rawPublished.push({ topic, key: m.key, value: m.value });
    },
  };
  return {
    rawPublished,
    db,
    pool,
    ...(kafka ? { kafka } : {}),
    ...(producer ? { producer } : {}),
    settings,
    logger,
    newCore(overrides = {}, coreOpts = {}) {
      return createConsentCore(
        { ...settings, ...overrides },
        {
          pool,
          producer: recording ?? { publish: refuse, publishRaw: refuse },
          logger: coreOpts.logger ?? logger,
        },
      );
    },
    async close() {
      await producer?.disconnect();
      await kafka?.cleanup();
      await pool.end();
      await db.drop();
    },
  };
}

/** A key directory holding one key per requested scope set; returns the tokens. */
export function testKeys(scopes: Record<string, Scope[]>): {
  keys: KeyDirectory;
  tokens: Record<string, string>;
} {
  const tokens: Record<string, string> = {};
  const records = Object.entries(scopes).map(([name, s]) => {
    const { token, record } = generateApiKey({ name, scopes: s });
    tokens[name] = token;
    return record;
  });
  return { keys: createStaticKeyDirectory(records), tokens };
}

/**
 * A stand-in for profile-store and identity implementing exactly the endpoints and shapes documented
 * in docs/privacy.md (the lead's e2e tests run the real services).
 */
export async function startFakeUpstream(data: {
  token: string;
  exports: Record<string, unknown>;
  merges?: Record<string, unknown>;
  lookups?: Record<string, string>;
}): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const app: FastifyInstance = Fastify();
  const requests: string[] = [];
  app.addHook('onRequest', async (request, reply) => {
    requests.push(`${request.method} ${request.url.split('?')[0]}`);
    if (request.headers.authorization !== `Bearer ${data.token}`)
      await reply.code(401).send({ code: 'UNAUTHENTICATED', message: 'no' });
  });
  app.get<{ Params: { id: string } }>('/v1/profiles/:id/export', async (request, reply) => {
    const body = data.exports[request.params.id];
    return body ? body : reply.code(404).send({ code: 'PROFILE_NOT_FOUND', message: 'no profile' });
  });
  app.get<{ Params: { id: string } }>('/v1/profiles/:id/merges', async (request, reply) => {
    const body = data.merges?.[request.params.id];
    return body ? body : reply.code(404).send({ code: 'PROFILE_NOT_FOUND', message: 'no profile' });
  });
  app.get<{ Querystring: { type: string; value: string } }>('/v1/profiles/lookup', async (request, reply) => {
    const id = data.lookups?.[`${request.query.type}:${request.query.value}`];
    return id ? { id } : reply.code(404).send({ code: 'PROFILE_NOT_FOUND', message: 'no profile' });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    requests,
    close: () => app.close(),
  };
}

export const ALL_PURPOSES = [...DefaultPurposes];
