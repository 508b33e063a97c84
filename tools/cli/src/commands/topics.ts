import { Topics, topicName, type TopicId } from '@tessera/contracts';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CliError, ExitCodes, usageError } from '../cli-error';
import { formatDurationMs, formatTable, parsePositiveInt, splitList } from '../format';

const allTopicIds = Object.keys(Topics) as TopicId[];

/** `accessKeys,deadLetter` -> ids; unknown ids are a usage error listing the valid ones. */
export function parseTopicIds(value: string | undefined): TopicId[] {
  if (value === undefined) return allTopicIds;
  const ids = splitList(value);
  const unknown = ids.filter((id) => !(id in Topics));
  if (unknown.length > 0) {
    throw usageError(`unknown topic id(s): ${unknown.join(', ')} (known: ${allTopicIds.join(', ')})`);
  }
  return ids as TopicId[];
}

export interface PlannedTopic {
  id: TopicId;
  name: string;
  partitions: number;
  config: Record<string, string>;
}

/** The topics `topics create` provisions: catalogue settings, optionally capped partitions for dev. */
export function planTopics(ids: TopicId[], prefix: string, maxPartitions?: number): PlannedTopic[] {
  return ids.map((id) => ({
    id,
    name: topicName(id, prefix),
    partitions: Math.min(Topics[id].partitions, maxPartitions ?? Number.MAX_SAFE_INTEGER),
    config: { ...Topics[id].config },
  }));
}

export interface DescribedTopic {
  name: string;
  partitions: number;
  config: Record<string, string>;
}

export interface TopicRow {
  id: TopicId;
  name: string;
  partitions: number | null;
  expectedPartitions: number;
  cleanupPolicy: string | null;
  retentionMs: string | null;
  status: 'ok' | 'missing' | 'fewer-partitions' | 'config-differs';
}

/** Joins what the broker reports with what the catalogue expects, one row per catalogue topic. */
export function compareTopics(planned: PlannedTopic[], described: DescribedTopic[]): TopicRow[] {
  const byName = new Map(described.map((d) => [d.name, d]));
  return planned.map((p) => {
    const actual = byName.get(p.name);
    if (actual === undefined) {
      return {
        id: p.id,
        name: p.name,
        partitions: null,
        expectedPartitions: p.partitions,
        cleanupPolicy: null,
        retentionMs: null,
        status: 'missing',
      };
    }
    const configDiffers = Object.entries(p.config).some(
      ([key, value]) => actual.config[key] !== undefined && actual.config[key] !== value,
    );
    return {
      id: p.id,
      name: p.name,
      partitions: actual.partitions,
      expectedPartitions: p.partitions,
      cleanupPolicy: actual.config['cleanup.policy'] ?? null,
      retentionMs: actual.config['retention.ms'] ?? null,
      status: actual.partitions < p.partitions ? 'fewer-partitions' : configDiffers ? 'config-differs' : 'ok',
    };
  });
}

export function formatTopicRows(rows: TopicRow[]): string {
  return formatTable(
    ['TOPIC', 'ID', 'PARTITIONS', 'CLEANUP', 'RETENTION', 'STATUS'],
    rows.map((r) => [
      r.name,
      r.id,
      r.partitions,
      r.cleanupPolicy,
      r.cleanupPolicy === 'compact' ? 'compacted' : formatDurationMs(r.retentionMs ?? undefined),
      r.status,
    ]),
  );
}

async function describeCatalogue(ctx: CliContext, planned: PlannedTopic[]): Promise<TopicRow[]> {
  const admin = ctx.kafka().admin();
  ctx.defer(() => admin.disconnect());
  const existing = await admin.describeTopics();
  return compareTopics(planned, existing);
}

export function registerTopicsCommands(program: Command, ctx: CliContext): void {
  const topics = program
    .command('topics')
    .description('provision and inspect the Kafka topics of the catalogue');

  topics
    .command('create')
    .description('create every catalogue topic that is missing (idempotent; honours TOPIC_PREFIX)')
    .option('--topics <ids>', 'only these catalogue ids, comma-separated (e.g. accessKeys,deadLetter)')
    .option(
      '--partitions <n>',
      'at most n partitions per topic instead of the catalogue value (small development brokers)',
      parsePositiveInt,
    )
    .action(async (opts: { topics?: string; partitions?: number }) => {
      const ids = parseTopicIds(opts.topics);
      const prefix = ctx.config().TOPIC_PREFIX;
      const planned = planTopics(ids, prefix, opts.partitions);
      const admin = ctx.kafka().admin();
      ctx.defer(() => admin.disconnect());
      await admin.ensureTopics(ids, [], opts.partitions !== undefined ? { partitions: opts.partitions } : {});
      const rows = compareTopics(planned, await admin.describeTopics(ids));
      ctx.io.out(formatTopicRows(rows));
      const missing = rows.filter((r) => r.status === 'missing');
      if (missing.length > 0) {
        throw new CliError(`topics still missing after create: ${missing.map((r) => r.name).join(', ')}`);
      }
    });

  topics
    .command('describe')
    .description('show every catalogue topic as the broker has it: partitions, cleanup policy, retention')
    .option('--topics <ids>', 'only these catalogue ids, comma-separated')
    .option('--json', 'print JSON instead of a table')
    .option('--check', 'exit with code 1 when a topic is missing or has fewer partitions than the catalogue')
    .action(async (opts: { topics?: string; json?: boolean; check?: boolean }) => {
      const ids = parseTopicIds(opts.topics);
      const rows = await describeCatalogue(ctx, planTopics(ids, ctx.config().TOPIC_PREFIX));
      ctx.io.out(opts.json ? JSON.stringify(rows, null, 2) : formatTopicRows(rows));
      const bad = rows.filter((r) => r.status === 'missing' || r.status === 'fewer-partitions');
      if (opts.check && bad.length > 0) {
        throw new CliError(
          `${bad.length} topic(s) not provisioned as the catalogue requires`,
          ExitCodes.failure,
        );
      }
    });
}
