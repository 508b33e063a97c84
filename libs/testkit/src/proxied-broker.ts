import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

export interface ProxiedBroker {
  /** Bootstrap address for clients: the proxy, which the broker also advertises. */
  brokers: string[];
  /** Destroys every open connection and refuses new ones: the network to Kafka is gone. */
  cut(): Promise<void>;
  /** Accepts connections again. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Kafka broker of the test's own, reachable only through a TCP proxy the test controls. The
 * broker advertises the proxy's address, so clients never bypass it after bootstrap; `cut()`
 * simulates losing the connection to Kafka mid-stream without disturbing the shared broker.
 * Costs a JVM start (~10 s); use for failure tests only.
 */
export async function startProxiedBroker(): Promise<ProxiedBroker> {
  const [brokerPort, controllerPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-proxied-kafka-'));
  const env = {
    ...process.env,
    TESSERA_KAFKA_STATE_DIR: stateDir,
    TESSERA_KAFKA_PORT: String(brokerPort),
    TESSERA_KAFKA_CONTROLLER_PORT: String(controllerPort),
    TESSERA_KAFKA_ADVERTISED_PORT: String(proxyPort),
    TESSERA_KAFKA_HEAP: '384m',
  };
  const script = path.join(repoRoot, 'scripts', 'kafka.sh');

  const sockets = new Set<Socket>();
  let accepting = true;
  const proxy: Server = createServer((client) => {
    if (!accepting) return client.destroy();
    const upstream = connect(brokerPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  try {
    await run('bash', [script, 'start'], { env, timeout: 120_000 });
  } catch (err) {
    proxy.close();
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }

  return {
    brokers: [`127.0.0.1:${proxyPort}`],
    async cut() {
      accepting = false;
      for (const s of sockets) s.destroy();
    },
    async restore() {
      accepting = true;
    },
    async stop() {
      accepting = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await run('bash', [script, 'stop'], { env, timeout: 60_000 }).catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
