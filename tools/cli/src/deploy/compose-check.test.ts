import { checkCompose, checkDockerfileWorkspaces, dockerfileStages, environmentOf } from './compose-check';
import type { JsonObject } from './yaml-values';

const dockerfile = [
  'FROM node:20 AS base',
  'COPY libs/config/package.json libs/config/',
  'FROM base AS ingest',
  'FROM base AS identity',
  'FROM base AS profile-store',
  'FROM base AS consent',
  'FROM base AS cli',
].join('\n');

const healthy = { condition: 'service_healthy' };
const platformService = (name: string, port: number): JsonObject => ({
  build: { context: '.', target: name },
  environment: {
    KAFKA_BROKERS: 'kafka:9092',
    DATABASE_URL: 'postgres://x@postgres/tessera',
    REDIS_URL: 'redis://redis:6379',
    IDENTIFIER_HASH_KEY: '${IDENTIFIER_HASH_KEY:?}',
    PII_KEYRING: '${PII_KEYRING:?}',
    PORT: port,
  },
  ports: [`${port}:${port}`],
  healthcheck: { test: ['CMD', 'node', '-e', 'fetch("http://127.0.0.1:" + process.env.PORT + "/readyz")'] },
  depends_on: {
    kafka: healthy,
    postgres: healthy,
    redis: healthy,
    init: { condition: 'service_completed_successfully' },
  },
});

function compose(): { services: Record<string, JsonObject>; volumes: JsonObject } {
  return {
    services: {
      kafka: {
        image: 'apache/kafka:3.9.1',
        environment: {
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: 1,
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        },
        healthcheck: { test: ['CMD-SHELL', 'true'] },
        volumes: ['kafka-data:/var/lib/kafka/data'],
      },
      postgres: { image: 'postgres:16', healthcheck: { test: ['CMD', 'pg_isready'] } },
      redis: { image: 'redis:7', healthcheck: { test: ['CMD', 'redis-cli', 'ping'] } },
      init: {
        build: { context: '.', target: 'cli' },
        entrypoint: ['sh', '-c', 'tessera migrate && tessera topics create'],
        restart: 'no',
        depends_on: { kafka: healthy, postgres: healthy },
      },
      ingest: platformService('ingest', 8080),
      identity: platformService('identity', 8081),
      'profile-store': platformService('profile-store', 8082),
      consent: {
        ...platformService('consent', 8083),
        command: ['sh', '-c', 'export PRIVACY_ADMIN_TOKEN="$(cat /t)" && exec node main.js'],
        environment: {
          ...(platformService('consent', 8083).environment as JsonObject),
          AUDIT_SIGNING_KEY: 'x',
          PROFILE_STORE_URL: 'http://profile-store:8082',
          IDENTITY_URL: 'http://identity:8081',
        },
      },
    },
    volumes: { 'kafka-data': null },
  };
}

describe('checkCompose', () => {
  it('checkCompose should accept a complete platform', () => {
    expect(checkCompose(compose(), dockerfile)).toEqual([]);
  });

  it('checkCompose should reject waiting for health of a service without a healthcheck', () => {
    const c = compose();
    delete c.services.redis!.healthcheck;
    expect(checkCompose(c, dockerfile)).toEqual([
      'ingest: waits for redis to be healthy, but redis has no healthcheck',
      'identity: waits for redis to be healthy, but redis has no healthcheck',
      'profile-store: waits for redis to be healthy, but redis has no healthcheck',
      'consent: waits for redis to be healthy, but redis has no healthcheck',
    ]);
  });

  it('checkCompose should require the variables only consent needs', () => {
    const c = compose();
    c.services.consent = platformService('consent', 8083);
    expect(checkCompose(c, dockerfile)).toEqual([
      'consent: environment AUDIT_SIGNING_KEY is missing',
      'consent: environment PROFILE_STORE_URL is missing',
      'consent: environment IDENTITY_URL is missing',
      'consent: environment PRIVACY_ADMIN_TOKEN is missing',
    ]);
  });

  it('checkCompose should reject unknown build targets, missing env and missing services', () => {
    const c = compose();
    c.services.ingest = { ...platformService('ingest', 8080), build: { context: '.', target: 'ingestt' } };
    delete (c.services.consent!.environment as JsonObject).PII_KEYRING;
    delete c.services.init;
    const problems = checkCompose(c, dockerfile);
    expect(problems).toEqual(
      expect.arrayContaining([
        'service init is missing',
        'ingest: build target ingestt is not a Dockerfile stage',
        'consent: environment PII_KEYRING is missing',
        'consent: depends on unknown service init',
      ]),
    );
  });

  it('checkCompose should reject a Kafka with auto topic creation on and undeclared volumes', () => {
    const c = compose();
    (c.services.kafka!.environment as JsonObject).KAFKA_AUTO_CREATE_TOPICS_ENABLE = 'true';
    c.volumes = {};
    expect(checkCompose(c, dockerfile)).toEqual([
      'kafka: volume kafka-data is not declared under top-level volumes',
      'kafka: auto topic creation must be off',
    ]);
  });
});

describe('Dockerfile helpers', () => {
  it('dockerfileStages should list named stages', () => {
    expect(dockerfileStages(dockerfile)).toEqual(['base', 'ingest', 'identity', 'profile-store', 'consent', 'cli']);
  });

  it('checkDockerfileWorkspaces should name workspaces whose package.json is not copied', () => {
    expect(checkDockerfileWorkspaces(dockerfile, ['libs/config', 'libs/kafka'])).toEqual([
      'Dockerfile: libs/kafka/package.json is not copied into the manifests stage',
    ]);
  });

  it('environmentOf should read both the mapping and the list form', () => {
    expect(environmentOf({ environment: ['A=1', 'B=x=y', 'C'] })).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(environmentOf({ environment: { A: 1, B: null } })).toEqual({ A: '1', B: '' });
  });
});
