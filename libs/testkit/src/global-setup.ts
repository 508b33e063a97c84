import { execFileSync, execSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  LOCAL_INFRA,
  dockerAvailable,
  envOverrides,
  exportInfra,
  hostPort,
  infraFromEnv,
  isListening,
  loadContainers,
  type Infra,
} from './infra';

const repoRoot = resolve(__dirname, '../../..');

async function waitForPort(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isListening(host, port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function tryRun(what: string, run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return `${what}: ${(err as Error).message.split('\n')[0]}`;
  }
}

/**
 * Starts whichever local service is down (only those the environment did not point elsewhere);
 * throws naming every one that stays down.
 */
async function ensureLocalServices(infra: Infra, given: Partial<Infra>): Promise<void> {
  const problems: string[] = [];
  const kafka = hostPort(infra.kafkaBrokers[0]!, 9092);
  if (!given.kafkaBrokers && !(await isListening(kafka.host, kafka.port))) {
    const failure = tryRun('bash scripts/kafka.sh start', () =>
      execFileSync('bash', [join(repoRoot, 'scripts/kafka.sh'), 'start'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    if (failure || !(await waitForPort(kafka.host, kafka.port, 60_000))) {
      problems.push(`Kafka is not reachable at ${kafka.host}:${kafka.port} (${failure ?? 'did not start'})`);
    }
  }
  const pg = hostPort(infra.databaseUrl, 5432);
  if (!given.databaseUrl && !(await isListening(pg.host, pg.port))) {
    const failure = tryRun('pg_ctlcluster', () => {
      const version = readdirSync('/etc/postgresql')[0];
      if (!version) throw new Error('no cluster under /etc/postgresql');
      execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'ignore' });
    });
    if (failure || !(await waitForPort(pg.host, pg.port, 20_000))) {
      problems.push(`PostgreSQL is not reachable at ${pg.host}:${pg.port} (${failure ?? 'did not start'})`);
    }
  }
  const redis = hostPort(infra.redisUrl, 6379);
  if (!given.redisUrl && !(await isListening(redis.host, redis.port))) {
    const failure = tryRun('redis-server', () =>
      execFileSync(
        'redis-server',
        [
          '--daemonize',
          'yes',
          '--bind',
          '127.0.0.1',
          '--port',
          String(redis.port),
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      ),
    );
    if (failure || !(await waitForPort(redis.host, redis.port, 10_000))) {
      problems.push(`Redis is not reachable at ${redis.host}:${redis.port} (${failure ?? 'did not start'})`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `integration test infrastructure is not available:\n  - ${problems.join('\n  - ')}\n` +
        'Start the services (npm run start:platform, or scripts/kafka.sh start), set KAFKA_BROKERS, ' +
        'DATABASE_URL and REDIS_URL, or make a Docker engine available.',
    );
  }
}

/**
 * Jest global setup for the integration and e2e projects: decides where Kafka, Postgres and
 * Redis are (environment, containers, or local services started on demand) and exports the
 * addresses into process.env, which the workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const fromEnv = infraFromEnv();
  if (fromEnv) {
    exportInfra(fromEnv);
    return;
  }
  const given = envOverrides();
  if (Object.keys(given).length === 0 && (await dockerAvailable())) {
    const { startContainers } = loadContainers();
    exportInfra(await startContainers());
    return;
  }
  const infra = { ...LOCAL_INFRA, ...given };
  await ensureLocalServices(infra, given);
  exportInfra(infra);
}
