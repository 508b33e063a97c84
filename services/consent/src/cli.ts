import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseConfig } from '@tessera/config';
import { IdentifierTypeSchema, UuidSchema } from '@tessera/contracts';
import { createPool } from '@tessera/db';
import { createKafka } from '@tessera/kafka';
import type { TypedProducer } from '@tessera/kafka';
import { createLogger } from '@tessera/observability';
import { ConsentConfigSchema } from './config';
import { createConsentCore } from './consent-core';
import type { ConsentCore } from './consent-core';
import { Jurisdictions } from './features/dsr/deadlines';
import type { Jurisdiction } from './features/dsr/deadlines';
import { DsrKinds } from './features/dsr/dsr-state-machine';
import type { DsrKind } from './features/dsr/dsr-state-machine';
import type { UpstreamClient } from './features/dsr/upstream-client';
import { reencryptPii } from './features/pii/reencrypt-job';
import { migrations } from './migrations';

const CliEnvSchema = ConsentConfigSchema.extend({
  PRIVACY_ADMIN_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export interface ConsentCommandOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

const noUpstream: UpstreamClient = {
  exportProfile: () => Promise.reject(new Error('PRIVACY_ADMIN_TOKEN is required to reach profile-store')),
  merges: () => Promise.reject(new Error('PRIVACY_ADMIN_TOKEN is required to reach identity')),
  lookup: () => Promise.reject(new Error('PRIVACY_ADMIN_TOKEN is required to reach profile-store')),
};

const parseIdentifier = (spec: string, previous: Array<{ type: string; value: string }> = []) => {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new Error(`identifiers look like type:value, got "${spec.slice(0, 20)}"`);
  return [
    ...previous,
    { type: IdentifierTypeSchema.parse(spec.slice(0, colon)), value: spec.slice(colon + 1) },
  ];
};

/**
 * `tessera dsr create|status|verify|export|list`, `tessera audit verify|purge`, `tessera consent reencrypt`.
 * Each invocation opens only what it needs and closes it before returning.
 */
export function registerConsentCommands(program: Command, opts: ConsentCommandOptions = {}): void {
  const out = opts.out ?? ((line: string) => console.log(line));
  const actor = () => `cli:${userInfo().username}`;
  const dsr = program
    .command('dsr')
    .description('data-subject requests: access/export, erasure, rectification, opt-out of sale/sharing');

  dsr
    .command('create')
    .description('record a request and run it as far as it goes (the service resumes the rest)')
    .requiredOption('--kind <kind>', `one of ${DsrKinds.join(', ')}`)
    .requiredOption('--jurisdiction <j>', `one of ${Jurisdictions.join(', ')} (sets the statutory deadline)`)
    .option('--profile <id>', 'profile id of the subject')
    .option('--identifier <type:value>', 'an identifier of the subject (repeatable)', parseIdentifier)
    .option(
      '--correction <trait=json>',
      'rectification: corrected trait value (repeatable)',
      (spec: string, prev: Record<string, unknown> = {}) => {
        const eq = spec.indexOf('=');
        if (eq <= 0) throw new Error('corrections look like trait=value');
        const raw = spec.slice(eq + 1);
        let value: unknown = raw;
        try {
          value = JSON.parse(raw);
        } catch {
          // a bare string
        }
        return { ...prev, [spec.slice(0, eq)]: value };
      },
    )
    .option('--requester <email>', 'how to reach the requester (stored encrypted)')
    .action(
      async (o: {
        kind: string;
        jurisdiction: string;
        profile?: string;
        identifier?: Array<{ type: string; value: string }>;
        correction?: Record<string, unknown>;
        requester?: string;
      }) => {
        const kind = z.enum(DsrKinds).parse(o.kind) as DsrKind;
        const jurisdiction = z.enum(Jurisdictions).parse(o.jurisdiction) as Jurisdiction;
        await withCore(opts.env, true, async (core) => {
          const created = await core.dsr.create({
            kind,
            jurisdiction,
            subject: {
              profileId: o.profile ? UuidSchema.parse(o.profile) : undefined,
              identifiers: o.identifier,
            },
            requester: o.requester ? { email: o.requester } : undefined,
            corrections: o.correction,
            actor: actor(),
          });
          await core.dsr.run(created.requestId).catch((err: unknown) =>
            out(
              JSON.stringify({
                warning: 'first step failed; the service resumes it',
                error: err instanceof Error ? err.message : 'error',
              }),
            ),
          );
          out(JSON.stringify(await core.dsr.status(created.requestId), null, 2));
        });
      },
    );

  dsr
    .command('status')
    .description('status of one request (with per-service progress), or --open for every open request')
    .argument('[requestId]')
    .option('--open', 'list requests not yet completed, with their deadlines')
    .action(async (requestId: string | undefined, o: { open?: boolean }) => {
      await withCore(opts.env, false, async (core) => {
        if (requestId) out(JSON.stringify(await core.dsr.status(UuidSchema.parse(requestId)), null, 2));
        else {
          const all = await core.dsr.list({ limit: 1000 });
          out(
            JSON.stringify(
              o.open ? all.filter((r) => r.status !== 'completed' && r.status !== 'failed') : all,
              null,
              2,
            ),
          );
        }
      });
    });

  dsr
    .command('verify')
    .description(
      'advance an erasure through verification and print the residue per service (exit 1 unless zero)',
    )
    .argument('<requestId>')
    .action(async (requestId: string) => {
      await withCore(opts.env, true, async (core) => {
        const id = UuidSchema.parse(requestId);
        await core.dsr.run(id);
        const status = await core.dsr.status(id);
        out(JSON.stringify(status, null, 2));
        if (status.status !== 'completed') throw new Error(`request ${id} is ${status.status}, not verified`);
      });
    });

  dsr
    .command('export')
    .description('the machine-readable access bundle of a completed access request (audited)')
    .argument('<requestId>')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (requestId: string, o: { out?: string }) => {
      await withCore(opts.env, false, async (core) => {
        const bundle = await core.dsr.exportBundle(UuidSchema.parse(requestId), actor());
        const text = JSON.stringify(bundle, null, 2);
        if (o.out) writeFileSync(o.out, text, { mode: 0o600 });
        else out(text);
      });
    });

  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('walk the chain from the last purge checkpoint; report the first broken link (exit 1)')
    .action(async () => {
      await withCore(opts.env, false, async (core) => {
        const result = await core.audit.verify();
        out(JSON.stringify(result, null, 2));
        if (!result.ok)
          throw new Error(`audit chain broken at seq ${result.firstBreak?.seq} (${result.firstBreak?.kind})`);
      });
    });
  audit
    .command('purge')
    .description('purge entries older than --days (whole prefix, leaves a signed checkpoint)')
    .requiredOption('--days <n>', 'retention in days', (v) => z.coerce.number().int().min(1).parse(v))
    .action(async (o: { days: number }) => {
      await withCore(opts.env, false, async (core) => {
        out(
          JSON.stringify(await core.audit.purgeBefore(new Date(Date.now() - o.days * 24 * 60 * 60 * 1000))),
        );
      });
    });

  program
    .command('consent')
    .description('consent service maintenance')
    .command('reencrypt')
    .description('re-wrap sealed PII under the primary key of PII_KEYRING (after putting a new key first)')
    .action(async () => {
      await withCore(opts.env, false, async (core, pool) => {
        out(JSON.stringify(await reencryptPii(pool, core.encryptor, core.keyProvider.primaryKeyId)));
      });
    });
}

async function withCore(
  env: NodeJS.ProcessEnv | undefined,
  publishes: boolean,
  fn: (core: ConsentCore, pool: ReturnType<typeof createPool>) => Promise<void>,
): Promise<void> {
  const config = parseConfig(CliEnvSchema, env ?? process.env);
  const logger = createLogger({
    name: 'tessera-consent-cli',
    level: config.LOG_LEVEL,
    destination: process.stderr,
  });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema: migrations.schema,
    max: 4,
    logger,
  });
  let producer: TypedProducer | undefined;
  try {
    if (publishes) {
      const kafka = createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: 'tessera-cli-consent',
        topicPrefix: config.TOPIC_PREFIX,
        logger,
      });
      producer = kafka.producer({ name: 'consent-cli' });
      await producer.connect();
    }
    const refuse = () => Promise.reject(new Error('this command does not publish'));
    const core = createConsentCore(
      { ...config, PRIVACY_ADMIN_TOKEN: config.PRIVACY_ADMIN_TOKEN ?? 'unset' },
      {
        pool,
        producer: producer ?? { publish: refuse, publishRaw: refuse },
        logger,
        ...(config.PRIVACY_ADMIN_TOKEN ? {} : { upstream: noUpstream }),
      },
    );
    await fn(core, pool);
    if (producer) await core.relay.flush();
  } finally {
    await producer?.disconnect();
    await pool.end();
  }
}
