/**
 * The physical ceilings of the co-located infrastructure, measured with each system's own tool so
 * the platform's figures can be stated as a fraction of what the machine can do at all.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Ceilings {
  kafkaProducePerSec: number;
  kafkaProduceMBps: number;
  kafkaConsumePerSec: number;
  kafkaConsumeMBps: number;
  redisEvalshaPerSec: number;
  redisSetPerSec: number;
  pgSelectTps: number;
  pgTpcbTps: number;
  recordSize: number;
  records: number;
}

async function sh(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  const { stdout, stderr } = await run(cmd, args, { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
  return `${stdout}\n${stderr}`;
}

function num(text: string, re: RegExp, what: string): number {
  const m = re.exec(text);
  if (!m) throw new Error(`cannot read ${what} from:\n${text.slice(-1500)}`);
  return Number(m[1]);
}

async function kafkaCeilings(
  brokers: string,
  prefix: string,
  records: number,
  recordSize: number,
): Promise<
  Pick<Ceilings, 'kafkaProducePerSec' | 'kafkaProduceMBps' | 'kafkaConsumePerSec' | 'kafkaConsumeMBps'>
> {
  const cp = (await sh('bash', ['scripts/kafka.sh', 'classpath'], 30_000)).trim().split('\n')[0]!;
  const topic = `${prefix}perf`;
  const java = (cls: string, args: string[], timeoutMs: number) =>
    sh('java', ['-Xmx256m', '-cp', cp, cls, ...args], timeoutMs);
  // the platform's hottest topics have 3 partitions in this setup: the same here
  await java(
    'org.apache.kafka.tools.TopicCommand',
    [
      '--bootstrap-server',
      brokers,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '3',
      '--replication-factor',
      '1',
    ],
    60_000,
  );
  try {
    const produced = await java(
      'org.apache.kafka.tools.ProducerPerformance',
      [
        '--topic',
        topic,
        '--num-records',
        String(records),
        '--record-size',
        String(recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers}`,
        'acks=all',
        'linger.ms=5',
      ],
      180_000,
    );
    const summary =
      produced
        .split('\n')
        .filter((l) => l.includes(`${records} records sent`))
        .pop() ?? produced;
    const consumed = await java(
      'org.apache.kafka.tools.ConsumerPerformance',
      ['--bootstrap-server', brokers, '--topic', topic, '--messages', String(records), '--timeout', '60000'],
      180_000,
    );
    // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
    const row = consumed.split('\n').find((l) => /^\d{4}-\d\d-\d\d/.test(l.trim()));
    if (!row) throw new Error(`cannot read ConsumerPerformance output:\n${consumed.slice(-1500)}`);
    const cols = row.split(',').map((c) => c.trim());
    return {
      kafkaProducePerSec: num(summary, /([\d.]+) records\/sec/, 'producer records/sec'),
      kafkaProduceMBps: num(summary, /\(([\d.]+) MB\/sec\)/, 'producer MB/sec'),
      kafkaConsumeMBps: Number(cols[3]),
      kafkaConsumePerSec: Number(cols[5]),
    };
  } finally {
    await java(
      'org.apache.kafka.tools.TopicCommand',
      ['--bootstrap-server', brokers, '--delete', '--topic', topic],
      60_000,
    ).catch(() => undefined);
  }
}

// A small script shaped like the platform's own Lua (read a key, write a key, expire it).
const LUA = "local v = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[1], ARGV[1], 'EX', 60); return v";

async function redisCeilings(
  prefix: string,
  requests: number,
): Promise<Pick<Ceilings, 'redisEvalshaPerSec' | 'redisSetPerSec'>> {
  const base = ['-h', '127.0.0.1', '-p', '6379'];
  const sha = (await sh('redis-cli', [...base, 'SCRIPT', 'LOAD', LUA], 10_000)).trim().split('\n')[0]!;
  const common = [...base, '-n', String(requests), '-c', '16', '-r', '100000', '-q'];
  try {
    const evalsha = await sh(
      'redis-benchmark',
      [...common, 'EVALSHA', sha, '1', `${prefix}k:__rand_int__`, 'v'],
      120_000,
    );
    const set = await sh('redis-benchmark', [...common, 'SET', `${prefix}s:__rand_int__`, 'v'], 120_000);
    return {
      redisEvalshaPerSec: num(evalsha, /([\d.]+) requests per second/, 'EVALSHA rps'),
      redisSetPerSec: num(set, /([\d.]+) requests per second/, 'SET rps'),
    };
  } finally {
    // the keys expire in 60 s anyway; delete them now so the memory figures that follow are clean
    await sh(
      'bash',
      [
        '-c',
        `redis-cli ${base.join(' ')} --scan --pattern '${prefix}*' | xargs -r -n 1000 redis-cli ${base.join(' ')} DEL >/dev/null`,
      ],
      60_000,
    ).catch(() => undefined);
  }
}

async function pgCeilings(
  prefix: string,
  seconds: number,
): Promise<Pick<Ceilings, 'pgSelectTps' | 'pgTpcbTps'>> {
  const db = `${prefix.replace(/[^a-z0-9]/g, '')}_pgbench`;
  const conn = ['-h', '127.0.0.1', '-U', 'postgres'];
  await sh('createdb', [...conn, db], 30_000);
  try {
    await sh('pgbench', [...conn, '-i', '-q', '-s', '10', db], 180_000);
    const load = [...conn, '-c', '8', '-j', '2', '-T', String(seconds), db];
    const select = await sh('pgbench', ['-S', ...load], (seconds + 60) * 1000);
    const tpcb = await sh('pgbench', load, (seconds + 60) * 1000);
    return {
      pgSelectTps: num(select, /tps = ([\d.]+)/, 'select-only tps'),
      pgTpcbTps: num(tpcb, /tps = ([\d.]+)/, 'TPC-B tps'),
    };
  } finally {
    await sh('dropdb', [...conn, '--if-exists', db], 30_000).catch(() => undefined);
  }
}

/** Runs the three measurements one after another (never in parallel: they share 2 cores). */
export async function measureCeilings(opts: {
  brokers: string;
  prefix: string;
  kafkaRecords: number;
  recordSize: number;
  redisRequests: number;
  pgSeconds: number;
  log: (line: string) => void;
}): Promise<Ceilings> {
  opts.log('ceilings: kafka perf tools');
  const kafka = await kafkaCeilings(opts.brokers, opts.prefix, opts.kafkaRecords, opts.recordSize);
  opts.log(
    `  produce ${kafka.kafkaProducePerSec.toFixed(0)}/s, consume ${kafka.kafkaConsumePerSec.toFixed(0)}/s`,
  );
  opts.log('ceilings: redis-benchmark');
  const redis = await redisCeilings(opts.prefix, opts.redisRequests);
  opts.log(`  EVALSHA ${redis.redisEvalshaPerSec.toFixed(0)}/s, SET ${redis.redisSetPerSec.toFixed(0)}/s`);
  opts.log('ceilings: pgbench');
  const pg = await pgCeilings(opts.prefix, opts.pgSeconds);
  opts.log(`  select-only ${pg.pgSelectTps.toFixed(0)} tps, TPC-B ${pg.pgTpcbTps.toFixed(0)} tps`);
  return { ...kafka, ...redis, ...pg, recordSize: opts.recordSize, records: opts.kafkaRecords };
}
