import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { PlatformClient } from '../platform/platform-client';
import { computeQuality } from '../quality/compute-quality';
import { fetchClustering } from '../quality/fetch-clustering';
import { formatQuality } from '../quality/format-quality';
import { createSendProgress } from '../sender/progress-bar';
import { sendWorld } from '../sender/send-world';
import { generateWorld } from '../world/generate-world';
import { readManifest, readMessages, readTruth, writeJsonl, writeWorld } from '../world/world-io';
import { runDemo } from '../demo/run-demo';
import { resolvePlatformSettings, type PlatformFlags } from './platform-settings';

// commander turns a parser's null into '', so "no region" travels as 'none' and is mapped at use
const tillRegion = (value: string): string => {
  if (value.toLowerCase() === 'none') return 'none';
  if (!/^[A-Za-z]{2}$/.test(value))
    throw new InvalidArgumentError('--till-region must be a two-letter region (US, GB) or none');
  return value.toUpperCase();
};
const positiveInt =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
const nonNegativeInt =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };

function platformOptions(cmd: Command): Command {
  return (
    cmd
      .addOption(new Option('--ingest-url <url>', 'ingest base URL').env('TESSERA_INGEST_URL'))
      .addOption(new Option('--identity-url <url>', 'identity base URL').env('TESSERA_IDENTITY_URL'))
      .addOption(new Option('--profile-url <url>', 'profile-store base URL').env('TESSERA_PROFILE_URL'))
      .addOption(new Option('--consent-url <url>', 'consent base URL').env('TESSERA_CONSENT_URL'))
      .addOption(
        new Option('--write-key <key>', 'write key for every source (HTTP Basic username)').env(
          'TESSERA_WRITE_KEY',
        ),
      )
      .option(
        '--write-keys <route=key,...>',
        'write keys per route (web, app, sendgrid, shopify, pos, social, crm)',
      )
      .addOption(new Option('--read-key <key>', 'key with profile:read and pii:read').env('TESSERA_READ_KEY'))
      // not --env-file: Node 20 takes that flag for itself even after the script name
      .option('--keys-file <file>', 'KEY=VALUE file with TESSERA_* keys', '.tessera/dev-keys.env')
  );
}

/** Adds generate, send, quality and demo to a command (the `tessera-traffic` root or `tessera traffic`). */
export function addTrafficSubcommands(root: Command): Command {
  root
    .command('generate')
    .description(
      'generate a synthetic world (persons, households, multi-channel messages) and its ground truth',
    )
    .requiredOption(
      '--out <dir>',
      'directory to write manifest.json, persons/households/messages/truth.jsonl',
    )
    .option('--seed <n>', 'random seed', nonNegativeInt('--seed'), 42)
    .option('--persons <n>', 'number of persons', positiveInt('--persons'), 500)
    .option('--days <n>', 'days of history', positiveInt('--days'), 60)
    .option('--start-at <iso>', 'first day of the history')
    .option(
      '--namespace <tag>',
      'make emails/user ids/loyalty ids unique to this world (several worlds, one platform)',
    )
    .option(
      '--till-region <CC|none>',
      "the POS source's default region (local phone formats at the till)",
      tillRegion,
      'US',
    )
    .action(
      async (o: {
        out: string;
        seed: number;
        persons: number;
        days: number;
        startAt?: string;
        namespace?: string;
        tillRegion: string;
      }) => {
        const options = {
          seed: o.seed,
          persons: o.persons,
          days: o.days,
          ...(o.startAt ? { startAt: o.startAt } : {}),
          ...(o.namespace ? { namespace: o.namespace } : {}),
          tillRegion: o.tillRegion === 'none' ? null : o.tillRegion,
        };
        const manifest = await writeWorld(o.out, generateWorld(options), options);
        process.stdout.write(
          `wrote ${manifest.messages} messages (${manifest.events} events) for ${manifest.persons} persons in ${manifest.households} households to ${o.out}\n`,
        );
      },
    );

  platformOptions(
    root
      .command('send')
      .description(
        'send a generated world through ingest; writes sent.jsonl (one outcome per message) beside it',
      )
      .requiredOption('--in <dir>', 'world directory written by generate')
      .option(
        '--rate <n>',
        'target messages per second (default: as fast as possible)',
        positiveInt('--rate'),
      )
      .option('--concurrency <n>', 'requests in flight', positiveInt('--concurrency'), 16)
      .option(
        '--batch-size <n>',
        'Segment calls per /v1/batch request (1: no batching)',
        positiveInt('--batch-size'),
        50,
      )
      .option('--no-progress', 'no progress bar'),
  ).action(
    async (
      o: PlatformFlags & {
        in: string;
        rate?: number;
        concurrency: number;
        batchSize: number;
        progress: boolean;
      },
    ) => {
      const settings = resolvePlatformSettings(o);
      const messages = await readMessages(o.in);
      const bar = o.progress ? createSendProgress(messages.length) : undefined;
      const result = await sendWorld({
        messages,
        ingestUrl: settings.ingestUrl,
        writeKeys: settings.writeKeys,
        concurrency: o.concurrency,
        batchSize: o.batchSize,
        ...(o.rate ? { rate: o.rate } : {}),
        ...(bar ? { onProgress: (s) => bar.update(s) } : {}),
      });
      bar?.stop();
      await writeJsonl(path.join(o.in, 'sent.jsonl'), result.outcomes);
      process.stdout.write(
        `sent ${result.sent} messages in ${result.requests} requests over ${(result.elapsedMs / 1000).toFixed(1)} s (${result.rate.toFixed(0)} msg/s): ` +
          `${result.accepted} accepted (${result.duplicates} already seen), ${result.rejected} rejected, ${result.retries} retries, ` +
          `${result.warnings} invalid identifier values left out\n`,
      );
      if (result.rejected > 0) {
        const codes = new Map<string, number>();
        for (const r of result.outcomes)
          if (!r.accepted)
            codes.set(r.code ?? String(r.status), (codes.get(r.code ?? String(r.status)) ?? 0) + 1);
        process.stdout.write(`rejections: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}\n`);
        process.exitCode = 1;
      }
    },
  );

  platformOptions(
    root
      .command('quality')
      .description(
        "score the platform's profiles against a world's ground truth (pairwise precision/recall/F1, over-merges, splits)",
      )
      .requiredOption('--in <dir>', 'world directory written by generate (and sent)')
      .option('--concurrency <n>', 'lookups in flight', positiveInt('--concurrency'), 16)
      .option('--json', 'print the report as JSON'),
  ).action(async (o: PlatformFlags & { in: string; concurrency: number; json?: boolean }) => {
    const settings = resolvePlatformSettings(o);
    if (!settings.readKey)
      throw new Error('a read key is needed: --read-key, TESSERA_READ_KEY or the env file');
    await readManifest(o.in);
    const truth = await readTruth(o.in);
    const client = new PlatformClient({ profileUrl: settings.profileUrl, readKey: settings.readKey });
    const report = computeQuality(
      truth,
      await fetchClustering(client, truth, { concurrency: o.concurrency }),
    );
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatQuality(report));
  });

  platformOptions(
    root
      .command('demo')
      .description(
        'guided demo on the running platform: generate, send, wait until settled, show golden records, quality and consent',
      )
      .option('--seed <n>', 'random seed', nonNegativeInt('--seed'), 7)
      .option('--persons <n>', 'number of persons', positiveInt('--persons'), 300)
      .option('--out <dir>', 'where to keep the generated world', '.tessera/demo-world')
      .option('--customers <n>', 'customers to show in detail', positiveInt('--customers'), 3)
      .option(
        '--timeout <seconds>',
        'give up waiting for processing after this long',
        positiveInt('--timeout'),
        90,
      )
      .addOption(
        new Option('--till-region <CC|none>', "the POS source's default region, if it has one")
          .env('TESSERA_TILL_REGION')
          .argParser(tillRegion)
          .default('none'),
      ),
  ).action(
    async (
      o: PlatformFlags & {
        seed: number;
        persons: number;
        out: string;
        customers: number;
        timeout: number;
        tillRegion: string;
      },
    ) => {
      const settings = resolvePlatformSettings(o);
      await runDemo({
        settings,
        seed: o.seed,
        persons: o.persons,
        out: o.out,
        customers: o.customers,
        tillRegion: o.tillRegion === 'none' ? null : o.tillRegion,
        timeoutMs: o.timeout * 1000,
        print: (...lines) => process.stdout.write(lines.map((l) => `${l}\n`).join('')),
      });
    },
  );
  return root;
}

/** Mounts the traffic commands as `<program> traffic …` (how the `tessera` operator CLI uses them). */
export function registerTrafficCommands(program: Command): Command {
  return addTrafficSubcommands(
    program.command('traffic').description('synthetic traffic: generate, send, quality report, guided demo'),
  );
}
