import { userInfo } from 'node:os';
import { createKeyAdmin, createKeyDirectory, type KeyAdmin } from '@tessera/access';
import { databaseEnv, kafkaEnv, parseConfig } from '@tessera/config';
import { readFileSync } from 'node:fs';
import {
  ChannelSchema,
  CreateSourceRequestV1Schema,
  EventTypeSchema,
  UpdateSourceRequestV1Schema,
  WebhookToleranceSecondsSchema,
  type CreateSourceRequestV1,
  type SetWebhookVerificationV1,
  type UpdateSource,
  type UpdateSourceRequestV1,
} from '@tessera/contracts';
import { createPool } from '@tessera/db';
import { isRegion } from '@tessera/identifiers';
import { createKafka } from '@tessera/kafka';
import { createLogger } from '@tessera/observability';
import type { Command } from 'commander';
import { z } from 'zod';
import { createWebhookCredentialsFromConfig } from './app';
import { IngestConfigSchema } from './config';
import { createSourceSettings, type SourceSettings } from './features/sources/source-settings';
import { createSourceStore } from './features/sources/source-store';
import { issueWriteKey, rotateWriteKey } from './features/sources/write-keys';
import { migrations } from './migrations';
import { registerImportCommands } from './features/imports/import-cli';

const CliEnvSchema = z.object({
  ...databaseEnv,
  ...kafkaEnv,
  LOG_LEVEL: z.string().default('warn'),
  // Needed only to store a Shopify secret (sealed with the same keyring ingest opens it with).
  INGEST_SECRETS_KEYRING: IngestConfigSchema.shape.INGEST_SECRETS_KEYRING,
});

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
  sendgridPublicKey?: string;
  webhookTolerance?: string;
  shopifySecretFile?: string;
}

/**
 * The webhook verification the flags ask for. The Shopify secret comes from a file (or `-`, stdin)
 * so it never sits in shell history or the process list.
 */
function webhookVerification(o: SourceFlags, stdin: () => string): SetWebhookVerificationV1 | undefined {
  if (o.sendgridPublicKey !== undefined && o.shopifySecretFile !== undefined)
    throw new Error('--sendgrid-public-key and --shopify-secret-file are exclusive: a source has one vendor');
  if (o.sendgridPublicKey !== undefined) {
    return {
      vendor: 'sendgrid',
      publicKey: o.sendgridPublicKey,
      ...(o.webhookTolerance !== undefined
        ? { toleranceSeconds: WebhookToleranceSecondsSchema.parse(Number(o.webhookTolerance)) }
        : {}),
    };
  }
  if (o.webhookTolerance !== undefined)
    throw new Error('--webhook-tolerance goes with --sendgrid-public-key');
  if (o.shopifySecretFile !== undefined) {
    const text = o.shopifySecretFile === '-' ? stdin() : readFileSync(o.shopifySecretFile, 'utf8');
    return { vendor: 'shopify', secret: text.trim() };
  }
  return undefined;
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

  const withSettings = async <T>(fn: (settings: SourceSettings) => Promise<T>): Promise<T> => {
    const env = parseConfig(CliEnvSchema, opts.env ?? process.env);
    const pool = createPool({
      connectionString: env.DATABASE_URL,
      schema: migrations.schema,
      max: 2,
      applicationName: 'tessera-cli',
    });
    try {
      return await fn(
        createSourceSettings({
          store: createSourceStore(pool),
          credentials: createWebhookCredentialsFromConfig(env),
        }),
      );
    } finally {
      await pool.end();
    }
  };
  const stdin = () => readFileSync(0, 'utf8');

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

  sources
    .command('create')
    .description('register a source and print its write key (shown once)')
    .requiredOption('--id <id>', 'source id (lower-case letters, digits, - and _)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--channel <channel>', `one of ${ChannelSchema.options.join(', ')}`)
    .option('--region <region>', 'default region for phone numbers without country code (ISO alpha-2)')
    .option('--event-types <list>', 'allowed call types, comma-separated (default: all)')
    .option('--rate-limit <n>', 'events per second (default: the service default)')
    .option('--sendgrid-public-key <base64>', 'require SendGrid signed webhooks, checked with this key')
    .option(
      '--webhook-tolerance <seconds>',
      'SendGrid timestamp tolerance (default INGEST_WEBHOOK_TOLERANCE_SECONDS)',
    )
    .option(
      '--shopify-secret-file <path>',
      'require Shopify HMACs with the app secret in this file ("-": stdin)',
    )
    .action(async (o: SourceFlags & { id: string }) => {
      const verification = webhookVerification(o, stdin);
      const input: CreateSourceRequestV1 = CreateSourceRequestV1Schema.parse({
        id: o.id,
        name: o.name,
        channel: o.channel,
        defaultRegion: region(o.region) ?? null,
        allowedEventTypes: eventTypes(o.eventTypes) ?? null,
        rateLimitPerSecond: o.rateLimit === undefined ? null : Number(o.rateLimit),
        ...(verification ? { webhookVerification: verification } : {}),
      });
      const source = await withSettings((settings) => settings.create(input));
      const key = await withKeys((admin) => issueWriteKey(admin, source.id));
      out(JSON.stringify({ source, writeKey: key.writeKey, keyId: key.keyId }));
    });

  sources
    .command('list')
    .description('list sources')
    .action(async () => {
      for (const source of await withSettings((settings) => settings.list())) out(JSON.stringify(source));
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
    .option('--sendgrid-public-key <base64>', 'require SendGrid signed webhooks, checked with this key')
    .option('--webhook-tolerance <seconds>', 'SendGrid timestamp tolerance (with --sendgrid-public-key)')
    .option(
      '--shopify-secret-file <path>',
      'require Shopify HMACs with the app secret in this file ("-": stdin)',
    )
    .option('--clear-webhook-verification', 'stop requiring signed webhooks')
    .action(
      async (
        id: string,
        o: SourceFlags & { disable?: boolean; enable?: boolean; clearWebhookVerification?: boolean },
      ) => {
        const verification = webhookVerification(o, stdin);
        if (verification && o.clearWebhookVerification)
          throw new Error('--clear-webhook-verification cannot be combined with a new verification');
        const patch: UpdateSourceRequestV1 = UpdateSourceRequestV1Schema.parse({
          name: o.name,
          channel: o.channel,
          defaultRegion: region(o.region),
          allowedEventTypes: eventTypes(o.eventTypes),
          rateLimitPerSecond:
            o.rateLimit === undefined ? undefined : o.rateLimit === 'default' ? null : Number(o.rateLimit),
          disabled: o.disable ? true : o.enable ? false : undefined,
          webhookVerification: o.clearWebhookVerification ? null : verification,
        });
        out(JSON.stringify(await withSettings((settings) => settings.update(id, patch))));
      },
    );

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
      await withSettings((settings) => settings.get(id));
      const result = await withKeys((admin) => rotateWriteKey(admin, id, graceSeconds));
      out(JSON.stringify({ sourceId: id, writeKey: result.writeKey, keyId: result.keyId }));
    });

  registerImportCommands(program, opts);
}
