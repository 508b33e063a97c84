/**
 * Runs load specs (bench/open-loop-load.ts) in a long-lived child process, optionally pinned to
 * one CPU with `taskset -c`. Specs travel over IPC (they can hold 100k request paths, far past the
 * argv limit).
 *
 *   const gen = await startLoadChild({ cpu: 1 });
 *   const result = await gen.run(spec);
 *   await gen.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runLoad, type LoadResult, type LoadSpec } from './open-loop-load';

const CHILD_FLAG = '--load-child';

export interface LoadChild {
  /** The CPU the generator is pinned to, or undefined when it floats. */
  cpu: number | undefined;
  run(spec: LoadSpec): Promise<LoadResult>;
  stop(): Promise<void>;
}

type Reply = { ok: true; result: LoadResult } | { ok: false; error: string };

/** `cpu`: pin the generator to that core with taskset (undefined: no pinning). */
export async function startLoadChild(opts: { cpu?: number | undefined }): Promise<LoadChild> {
  const runner = path.resolve(__dirname, 'ts-runner.js');
  const nodeArgs = [runner, __filename, CHILD_FLAG];
  let child: ChildProcess;
  if (opts.cpu !== undefined) {
    if (!fs.existsSync('/usr/bin/taskset') && !fs.existsSync('/bin/taskset'))
      throw new Error('taskset (util-linux) is needed to pin the load generator; set BENCH_LOADGEN_CPU=none');
    child = spawn('taskset', ['-c', String(opts.cpu), process.execPath, ...nodeArgs], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  } else {
    child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`load generator exited with ${code} before starting`)));
  });
  return {
    cpu: opts.cpu,
    run(spec) {
      return new Promise<LoadResult>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`load generator exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (reply: Reply) => {
          child.off('exit', onExit);
          if (reply.ok) resolve(reply.result);
          else reject(new Error(`load generator failed: ${reply.error}`));
        });
        child.send(spec);
      });
    },
    async stop() {
      child.disconnect();
      await exited;
    },
  };
}

function childMain(): void {
  process.on('message', (spec: LoadSpec) => {
    runLoad(spec).then(
      (result) => process.send!({ ok: true, result } satisfies Reply),
      (err: unknown) => process.send!({ ok: false, error: String(err) } satisfies Reply),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}

if (process.argv.includes(CHILD_FLAG)) childMain();
