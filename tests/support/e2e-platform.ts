import { randomBytes } from 'node:crypto';
import { createKeyAdmin, createStaticKeyDirectory } from '@tessera/access';
import { LocalKeyring } from '@tessera/crypto';
import {
  createTestDatabase,
  createTestKafka,
  createTestRedis,
  uniqueName,
  type TestKafka,
} from '@tessera/testkit';
import { startService, type RunningService, type ServiceName } from './platform';

export interface E2ePlatform {
  kafka: TestKafka;
  services: Record<ServiceName, RunningService>;
  writeKey: string;
  readKey: string;
  adminKey: string;
  sourceId: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  /** Every line every service logged so far. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The whole platform on isolated infrastructure: its own topic prefix, database and Redis key
 * prefix, with the four services started as real processes and API keys published the way the
 * CLI publishes them (to the compacted keys topic).
 */
export async function startE2ePlatform(
  options: { serviceEnv?: Record<string, string> } = {},
): Promise<E2ePlatform> {
  const kafka = await createTestKafka({ partitions: 3 });
  const database = await createTestDatabase();
  const redis = await createTestRedis();
  const producer = kafka.kafka.producer({ name: 'e2e-admin' });
  await producer.connect();
  const keys = createKeyAdmin({ producer, directory: createStaticKeyDirectory(), actor: 'cli:e2e' });
  const sourceId = uniqueName('web-');
  const write = await keys.create({ name: 'e2e write', scopes: ['ingest:write'], sourceId });
  const read = await keys.create({ name: 'e2e read', scopes: ['profile:read', 'pii:read', 'consent:write'] });
  const admin = await keys.create({
    name: 'e2e admin',
    scopes: ['profile:read', 'pii:read', 'consent:write', 'privacy:admin'],
  });
  await producer.disconnect();

  const env: Record<string, string> = {
    KAFKA_BROKERS: kafka.brokers.join(','),
    TOPIC_PREFIX: kafka.prefix,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    IDENTIFIER_HASH_KEY: randomBytes(32).toString('hex'),
    PII_KEYRING: `k1:${LocalKeyring.generateKey()}`,
    AUDIT_SIGNING_KEY: randomBytes(32).toString('hex'),
    PRIVACY_ADMIN_TOKEN: admin.token,
    LOG_LEVEL: 'info',
    ...options.serviceEnv,
  };
  const started: RunningService[] = [];
  try {
    const [identity, profileStore] = await Promise.all([
      startService('identity', env).then((s) => (started.push(s), s)),
      startService('profile-store', env).then((s) => (started.push(s), s)),
    ]);
    const [ingest, consent] = await Promise.all([
      startService('ingest', env).then((s) => (started.push(s), s)),
      startService('consent', {
        ...env,
        PROFILE_STORE_URL: profileStore.url,
        IDENTITY_URL: identity.url,
      }).then((s) => (started.push(s), s)),
    ]);
    const services = { ingest, identity, 'profile-store': profileStore, consent };
    return {
      kafka,
      services,
      writeKey: write.token,
      readKey: read.token,
      adminKey: admin.token,
      sourceId,
      databaseUrl: database.url,
      redisUrl: redis.url,
      redisKeyPrefix: redis.keyPrefix,
      logs: () => started.map((s) => s.output()).join('\n'),
      async stop() {
        const codes = await Promise.all(started.map((s) => s.stop()));
        await Promise.allSettled([kafka.cleanup(), redis.cleanup(), database.drop()]);
        const unclean = codes.filter((code) => code !== 0);
        if (unclean.length > 0) throw new Error(`services exited uncleanly on SIGTERM: ${codes.join(', ')}`);
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    await Promise.allSettled([kafka.cleanup(), redis.cleanup(), database.drop()]);
    throw err;
  }
}

export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

export async function getJson(url: string, token: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'e2e-test' },
  });
  const text = await res.text();
  return { status: res.status, body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined };
}
