import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

export type ServiceName = 'ingest' | 'identity' | 'profile-store' | 'consent';

export interface RunningService {
  name: ServiceName;
  url: string;
  /** The service's OS process id (benchmarks read its CPU and RSS from /proc). */
  pid?: number;
  /** Everything the process wrote (JSON log lines), for assertions such as "no email in logs". */
  output(): string;
  stop(): Promise<number | null>;
}

/** A free TCP port on loopback (the OS picks; we release it and hand it to the service). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Starts a service exactly as operators do (`node services/<name>/dist/main.js`) with the given env,
 * and waits until its /readyz answers 200. The suite's `npm test` builds first; run `npm run build`
 * before running e2e tests on their own.
 */
export async function startService(
  name: ServiceName,
  env: Record<string, string>,
  opts: { readyTimeoutMs?: number } = {},
): Promise<RunningService> {
  const entry = path.join(repoRoot, 'services', name, 'dist', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before the e2e tests`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  let lastError = '';
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${output.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
      lastError = `readyz ${res.status}: ${await res.text()}`;
    } catch (err) {
      lastError = String(err);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready in time (${lastError}):\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    name,
    url,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
