/**
 * CPU and RSS per process from /proc, sampled while a step runs. CPU is reported in cores (1.0 =
 * one core busy the whole step); Postgres is the sum over all its backends, because the work of
 * the platform's connections lands in backend processes, not in the postmaster.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

export interface ProcessGroup {
  name: string;
  pids: () => number[];
}

export interface ResourceUse {
  name: string;
  cpuCores: number;
  rssMb: number;
}

/** utime + stime of a process, or undefined when it is gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function pgrep(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Pids of processes with exactly this command name (pgrep -x), for infrastructure we did not start. */
export const pidsNamed = (name: string): number[] => pgrep(['-x', name]);

/** Pids whose command line contains `fragment` (pgrep -f), e.g. the Kafka broker's main class. */
export const pidsMatching = (fragment: string): number[] => pgrep(['-f', fragment]);

/** Starts measuring; the returned function ends the window and reports average CPU and peak RSS. */
export function startResourceWindow(groups: ProcessGroup[], sampleMs = 1000): () => ResourceUse[] {
  const startedAt = Date.now();
  const pidLists = groups.map((g) => g.pids());
  const startTicks = pidLists.map((pids) => pids.map((pid) => cpuTicks(pid)));
  // latest reading per process, so one that ends during the window keeps what it used until then
  // (counting it as 0 at the end made short-lived matches of `pgrep -f` show negative CPU)
  const lastTicks = startTicks.map((ticks) => [...ticks]);
  const readTicks = () =>
    pidLists.forEach((pids, i) =>
      pids.forEach((pid, j) => {
        const t = cpuTicks(pid);
        if (t !== undefined) lastTicks[i]![j] = t;
      }),
    );
  const peakRss = pidLists.map(() => 0);
  const sample = () => {
    readTicks();
    pidLists.forEach((pids, i) => {
      peakRss[i] = Math.max(
        peakRss[i]!,
        pids.reduce((sum, pid) => sum + rssKb(pid), 0),
      );
    });
  };
  sample();
  const timer = setInterval(sample, sampleMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    sample();
    const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
    return groups.map((g, i) => {
      const ticks = pidLists[i]!.reduce(
        (sum, _pid, j) => sum + (lastTicks[i]![j] ?? 0) - (startTicks[i]![j] ?? 0),
        0,
      );
      return { name: g.name, cpuCores: ticks / TICKS / seconds, rssMb: peakRss[i]! / 1024 };
    });
  };
}
