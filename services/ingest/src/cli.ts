import { userInfo } from 'node:os';
import { createKeyAdmin, createKeyDirectory, type KeyAdmin } from '@tessera/access';
import { databaseEnv, kafkaEnv, parseConfig } from '@tessera/config';
import {
  ChannelSchema,
  CreateSourceSchema,
  EventTypeSchema,
  UpdateSourceSchema,
  type AccessKeyV1,
  type CreateSource,
  type UpdateSource,
} from '@tessera/contracts';
import { createPool } from '@tessera/db';
import { isRegion } from '@tessera/identifiers';
import { createKafka } from '@tessera/kafka';
import { createLogger } from '@tessera/observability';
import type { Command } from 'commander';
import { z } from 'zod';
import { createSourceStore, type SourceStore } from './features/sources/source-store';
import { migrations } from './migrations';
import { registerImportCommands } from './features/imports/import-cli';

const CliEnvSchema = z.object({ ...databaseEnv, ...kafkaEnv, LOG_LEVEL: z.string().default('warn') });

export interface IngestCommandOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

const DIRECTORY_TIMEOUT_MS = 30_000;

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** `--region GB` / `--region none`. */
function region(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const upper = value.toUpperCase();
  if (!isRegion(upper))
    throw new Error(`--region ${value} is not an ISO 3166-1 alpha-2 region (e.g. US, GB)`);
  return upper;
}

function eventTypes(value: string | undefined): UpdateSource['allowedEventTypes'] {
  if (value === undefined) return undefined;
  if (value === 'all') return null;
  return z.array(EventTypeSchema).min(1).parse(list(value));
}

interface SourceFlags {
  name?: string;
  channel?: string;
  region?: string;
  eventTypes?: string;
  rateLimit?: string;
}

/**
 * `tessera sources create|list|update|rotate-key`: sources live in `ingest.sources`; a source's
 * write key is an access key with scope `ingest:write` bound to the source id (published to the
 * access-keys topic, so running ingest instances see creations and revocations within a poll).
 * Also `tessera import csv` (see features/imports).
 */
export function registerIngestCommands(program: Command, opts: IngestCommandOptions = {}): void {
  const out = opts.out ?? ((line: string) => console.log(line));
  const sources = program.command('sources').description('ingest sources and their write keys');

  const withStore = async <T>(fn: (store: SourceStore) => Promise<T>): Promise<T> => {
    const env = parseConfig(CliEnvSchema, opts.env ?? process.env);
    const pool = createPool({
      connectionString: env.DATABASE_URL,
      schema: migrations.schema,
      max: 2,
      applicationName: 'tessera-cli',
    });
    try {
      return await fn(createSourceStore(pool));
    } finally {
      await pool.end();
    }
  };

  const withKeys = async <T>(fn: (admin: KeyAdmin) => Promise<T>): Promise<T> => {
    const env = parseConfig(CliEnvSchema, opts.env ?? process.env);
    const logger = createLogger({ name: 'tessera-cli', level: env.LOG_LEVEL });
    const kafka = createKafka({
      brokers: env.KAFKA_BROKERS,
      clientId: 'tessera-cli',
      topicPrefix: env.TOPIC_PREFIX,
      logger,
    });
    const producer = kafka.producer({ name: 'tessera-cli' });
    const directory = createKeyDirectory({ kafka, logger, groupId: 'tessera-cli-keys' });
    await producer.connect();
    try {
      await directory.start();
      const deadline = Date.now() + DIRECTORY_TIMEOUT_MS;
      while (!directory.ready()) {
        if (Date.now() > deadline) throw new Error('access keys did not load within 30s; is Kafka up?');
        await new Promise((r) => setTimeout(r, 100));
      }
      return await fn(
        createKeyAdmin({ producer, directory, actor: `cli:${userInfo().username}`, service: 'ingest' }),
      );
    } finally {
      await directory.stop();
      await producer.disconnect();
    }
  };

  const writeKeysOf = (admin: KeyAdmin, sourceId: string): AccessKeyV1[] =>
    admin
      .list()
      .filter(
        (k) =>
          k.sourceId === sourceId &&
          k.scopes.includes('ingest:write') &&
          (k.revokedAt === undefined || Date.parse(k.revokedAt) > Date.now()),
      );

  sources
    .command('create')
    .description('register a source and print its write key (shown once)')
    .requiredOption('--id <id>', 'source id (lower-case letters, digits, - and _)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--channel <channel>', `one of ${ChannelSchema.options.join(', ')}`)
    .option('--region <region>', 'default region for phone numbers without country code (ISO alpha-2)')
    .option('--event-types <list>', 'allowed call types, comma-separated (default: all)')
    .option('--rate-limit <n>', 'events per second (default: the service default)')
    .action(async (o: SourceFlags & { id: string }) => {
      const input: CreateSource = CreateSourceSchema.parse({
        id: o.id,
        name: o.name,
        channel: o.channel,
        defaultRegion: region(o.region) ?? null,
        allowedEventTypes: eventTypes(o.eventTypes) ?? null,
        rateLimitPerSecond: o.rateLimit === undefined ? null : Number(o.rateLimit),
      });
      const source = await withStore((store) => store.create(input));
      const key = await withKeys((admin) =>
        admin.create({ name: `source:${source.id}`, scopes: ['ingest:write'], sourceId: source.id }),
      );
      out(JSON.stringify({ source, writeKey: key.token, keyId: key.record.keyId }));
    });

  sources
    .command('list')
    .description('list sources')
    .action(async () => {
      for (const source of await withStore((store) => store.list())) out(JSON.stringify(source));
    });

  sources
    .command('update <id>')
    .description('change a source (missing options stay unchanged)')
    .option('--name <name>', 'display name')
    .option('--channel <channel>', 'channel')
    .option('--region <region>', 'default region, or "none"')
    .option('--event-types <list>', 'allowed call types, or "all"')
    .option('--rate-limit <n>', 'events per second, or "default"')
    .option('--disable', 'refuse its events (403) until re-enabled')
    .option('--enable', 're-enable a disabled source')
    .action(async (id: string, o: SourceFlags & { disable?: boolean; enable?: boolean }) => {
      const patch: UpdateSource = UpdateSourceSchema.parse({
        name: o.name,
        channel: o.channel,
        defaultRegion: region(o.region),
        allowedEventTypes: eventTypes(o.eventTypes),
        rateLimitPerSecond:
          o.rateLimit === undefined ? undefined : o.rateLimit === 'default' ? null : Number(o.rateLimit),
        disabled: o.disable ? true : o.enable ? false : undefined,
      });
      out(JSON.stringify(await withStore((store) => store.update(id, patch))));
    });

  sources
    .command('rotate-key <id>')
    .description('issue a new write key; the old ones stop working after the grace period')
    .option('--grace-seconds <n>', 'how long the old key keeps working (0 = revoked at once)', '0')
    .action(async (id: string, o: { graceSeconds: string }) => {
      const graceSeconds = z.coerce
        .number()
        .int()
        .min(0)
        .max(30 * 86_400)
        .parse(o.graceSeconds);
      const exists = await withStore((store) => store.get(id));
      if (!exists) throw new Error(`source ${id} does not exist`);
      const result = await withKeys(async (admin) => {
        const current = writeKeysOf(admin, id);
        if (current.length === 0)
          return admin.create({ name: `source:${id}`, scopes: ['ingest:write'], sourceId: id });
        const [first, ...rest] = current;
        const rotated = await admin.rotate(first!.keyId, { graceSeconds });
        // Every other live write key of the source is retired too: rotation means one key.
        for (const k of rest) await admin.revoke(k.keyId);
        return rotated;
      });
      out(JSON.stringify({ sourceId: id, writeKey: result.token, keyId: result.record.keyId }));
    });

  registerImportCommands(program, opts);
}
