import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type * as containers from './containers';

type ContainersModule = typeof containers;

/** Where the integration tests' Kafka, Postgres and Redis are. */
export interface Infra {
  kafkaBrokers: string[];
  /** An admin connection (the `postgres` database); test databases are created from it. */
  databaseUrl: string;
  redisUrl: string;
}

export const LOCAL_INFRA: Infra = {
  kafkaBrokers: ['127.0.0.1:9092'],
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: 'redis://127.0.0.1:6379',
};

/** Which of the three addresses the environment sets. */
export function envOverrides(env: NodeJS.ProcessEnv = process.env): Partial<Infra> {
  const out: Partial<Infra> = {};
  if (env.KAFKA_BROKERS) {
    out.kafkaBrokers = env.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
  }
  if (env.DATABASE_URL) out.databaseUrl = env.DATABASE_URL;
  if (env.REDIS_URL) out.redisUrl = env.REDIS_URL;
  return out;
}

/** The addresses given in the environment, if all three are set. */
export function infraFromEnv(env: NodeJS.ProcessEnv = process.env): Infra | undefined {
  const o = envOverrides(env);
  if (!o.kafkaBrokers || !o.databaseUrl || !o.redisUrl) return undefined;
  return { kafkaBrokers: o.kafkaBrokers, databaseUrl: o.databaseUrl, redisUrl: o.redisUrl };
}

/** Publishes the addresses so jest workers (started after global setup) and child processes see them. */
export function exportInfra(infra: Infra, env: NodeJS.ProcessEnv = process.env): void {
  env.KAFKA_BROKERS = infra.kafkaBrokers.join(',');
  env.DATABASE_URL = infra.databaseUrl;
  env.REDIS_URL = infra.redisUrl;
}

/** True when something accepts TCP connections at host:port within the timeout. */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** host and port of `host:port` or of a URL. */
export function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const url = address.includes('://') ? new URL(address) : new URL(`tcp://${address}`);
  return { host: url.hostname || '127.0.0.1', port: url.port ? Number(url.port) : defaultPort };
}

/** Whether a Docker engine answers (DOCKER_HOST set, or the local socket replies to /_ping). */
export async function dockerAvailable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.TESSERA_TEST_INFRA === 'local') return false;
  if (env.DOCKER_HOST) return true;
  const socketPath = '/var/run/docker.sock';
  if (!existsSync(socketPath)) return false;
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * testcontainers is loaded only when Docker is used: it is heavy and most runs use local
 * services. (A dynamic import() would stay an ESM import in our CommonJS output.)
 */
export function loadContainers(): ContainersModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./containers') as ContainersModule;
}

let resolved: Promise<Infra> | undefined;

/**
 * KAFKA_BROKERS/DATABASE_URL/REDIS_URL when set (jest's global setup sets them for every
 * worker); else containers when a Docker engine answers; else the local services.
 */
export function getInfra(): Promise<Infra> {
  const fromEnv = infraFromEnv();
  if (fromEnv) return Promise.resolve(fromEnv);
  resolved ??= (async () => {
    const overrides = envOverrides();
    if (Object.keys(overrides).length > 0) return { ...LOCAL_INFRA, ...overrides };
    if (await dockerAvailable()) {
      const { startContainers } = loadContainers();
      return startContainers();
    }
    return LOCAL_INFRA;
  })();
  return resolved;
}
