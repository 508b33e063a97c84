import { createPool } from '@tessera/db';
import { createKafka, type TesseraKafka } from '@tessera/kafka';
import { createLogger, type Logger } from '@tessera/observability';
import type pg from 'pg';
import { parseCliConfig, type CliConfig } from './cli-config';

/** Where command output goes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Lazily created resources of one CLI invocation. Commands ask for what they need; `close()`
 * releases everything that was opened, so a command that only formats never touches Kafka.
 */
export interface CliContext {
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
  config(): CliConfig;
  logger(): Logger;
  kafka(): TesseraKafka;
  /** A pool whose connections use `search_path=<schema>,public`; closed by `close()`. */
  pool(schema: string): pg.Pool;
  /** Runs `fn` when the command finishes (last registered first). */
  defer(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export interface CliContextOptions {
  env?: NodeJS.ProcessEnv;
  io?: CliIo;
  /** Tests pass a hand-written fake here. */
  kafkaFactory?: (config: CliConfig, logger: Logger) => TesseraKafka;
}

export function createCliContext(opts: CliContextOptions = {}): CliContext {
  const env = opts.env ?? process.env;
  const io = opts.io ?? processIo;
  const cleanups: Array<() => Promise<void>> = [];
  let config: CliConfig | undefined;
  let logger: Logger | undefined;
  let kafka: TesseraKafka | undefined;
  const pools = new Map<string, pg.Pool>();

  const ctx: CliContext = {
    io,
    env,
    config() {
      config ??= parseCliConfig(env);
      return config;
    },
    logger() {
      // Logs go to stderr so stdout stays parseable (`tessera keys create ... | grep token`).
      logger ??= createLogger({
        name: 'tessera-cli',
        level: ctx.config().LOG_LEVEL,
        destination: process.stderr,
      });
      return logger;
    },
    kafka() {
      if (kafka === undefined) {
        const cfg = ctx.config();
        kafka = opts.kafkaFactory
          ? opts.kafkaFactory(cfg, ctx.logger())
          : createKafka({
              brokers: cfg.KAFKA_BROKERS,
              clientId: cfg.KAFKA_CLIENT_ID ?? 'tessera-cli',
              topicPrefix: cfg.TOPIC_PREFIX,
              logger: ctx.logger(),
            });
      }
      return kafka;
    },
    pool(schema) {
      let pool = pools.get(schema);
      if (pool === undefined) {
        pool = createPool({
          connectionString: ctx.config().DATABASE_URL,
          schema,
          max: 2,
          applicationName: 'tessera-cli',
        });
        pools.set(schema, pool);
      }
      return pool;
    },
    defer(fn) {
      cleanups.push(fn);
    },
    async close() {
      const errors: unknown[] = [];
      for (const fn of cleanups.splice(0).reverse()) {
        await fn().catch((err: unknown) => errors.push(err));
      }
      for (const pool of pools.values()) await pool.end().catch((err: unknown) => errors.push(err));
      pools.clear();
      if (errors.length > 0 && logger) logger.warn({ err: errors[0] }, 'cleanup after the command failed');
    },
  };
  return ctx;
}
