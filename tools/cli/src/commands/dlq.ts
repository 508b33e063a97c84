import { Topics, topicName, type DeadLetterV1, type TopicId } from '@tessera/contracts';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { usageError } from '../cli-error';
import { formatTable, parsePositiveInt } from '../format';
import { readTopic } from '../topic-reader';

/** A dead letter with where it sits on the dead-letter topic itself (what `--entry` selects). */
export interface DeadLetterEntry {
  partition: number;
  offset: string;
  record: DeadLetterV1;
}

export interface DlqFilter {
  /** Physical original topic name (already resolved from a catalogue id). */
  originalTopic?: string;
  consumerGroup?: string;
  since?: Date;
  /** `partition:offset` positions on the dead-letter topic. */
  entries?: Set<string>;
  /** Keep only the most recent N. */
  limit?: number;
}

/** `--topic` accepts a catalogue id (`eventsIngested`) or a physical name. */
export function resolveTopicName(value: string, prefix: string): string {
  return value in Topics ? topicName(value as TopicId, prefix) : value;
}

export function parseEntryList(value: string): Set<string> {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !/^\d+:\d+$/.test(e));
  if (entries.length === 0 || bad.length > 0) {
    throw usageError(`--entry takes partition:offset positions on the dead-letter topic (got "${value}")`);
  }
  return new Set(entries);
}

export function parseSince(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw usageError(`--since must be an ISO date-time (got "${value}")`);
  return date;
}

export function filterDeadLetters(entries: DeadLetterEntry[], filter: DlqFilter): DeadLetterEntry[] {
  const matching = entries.filter(
    (e) =>
      (filter.originalTopic === undefined || e.record.originalTopic === filter.originalTopic) &&
      (filter.consumerGroup === undefined || e.record.consumerGroup === filter.consumerGroup) &&
      (filter.since === undefined || Date.parse(e.record.failedAt) >= filter.since.getTime()) &&
      (filter.entries === undefined || filter.entries.has(`${e.partition}:${e.offset}`)),
  );
  return filter.limit === undefined ? matching : matching.slice(-filter.limit);
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export function formatDeadLetters(entries: DeadLetterEntry[]): string {
  return formatTable(
    ['ENTRY', 'FAILED AT', 'ORIGINAL', 'GROUP', 'ATTEMPTS', 'ERROR'],
    entries.map((e) => [
      `${e.partition}:${e.offset}`,
      e.record.failedAt,
      `${e.record.originalTopic}/${e.record.partition}/${e.record.offset}`,
      e.record.consumerGroup,
      e.record.attempts,
      truncate(`${e.record.error.code}: ${e.record.error.message}`, 100),
    ]),
  );
}

export const REPLAYED_FROM_HEADER = 'x-tessera-replayed-from';

/** The message to re-publish: original key, value bytes and headers, plus where it was replayed from. */
export function replayMessage(
  entry: DeadLetterEntry,
  deadLetterTopic: string,
): {
  topic: string;
  message: { key: string | null; value: string | Buffer | null; headers: Record<string, string> };
} {
  const { record } = entry;
  const value =
    record.value === null
      ? null
      : record.valueEncoding === 'base64'
        ? Buffer.from(record.value, 'base64')
        : record.value;
  return {
    topic: record.originalTopic,
    message: {
      key: record.key,
      value,
      headers: {
        ...record.headers,
        [REPLAYED_FROM_HEADER]: `${deadLetterTopic}/${entry.partition}/${entry.offset}`,
      },
    },
  };
}

interface DlqOptions {
  topic?: string;
  group?: string;
  since?: Date;
  entry?: Set<string>;
  limit?: number;
}

async function loadDeadLetters(ctx: CliContext, opts: DlqOptions): Promise<DeadLetterEntry[]> {
  const messages = await readTopic(ctx.kafka(), 'deadLetter', { groupId: 'tessera-cli.dlq' });
  const entries = messages.flatMap((m) =>
    m.value === null ? [] : [{ partition: m.partition, offset: m.offset, record: m.value }],
  );
  return filterDeadLetters(entries, {
    ...(opts.topic !== undefined
      ? { originalTopic: resolveTopicName(opts.topic, ctx.config().TOPIC_PREFIX) }
      : {}),
    ...(opts.group !== undefined ? { consumerGroup: opts.group } : {}),
    ...(opts.since !== undefined ? { since: opts.since } : {}),
    ...(opts.entry !== undefined ? { entries: opts.entry } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  });
}

function withFilters(command: Command): Command {
  return command
    .option('--topic <topic>', 'only messages that failed on this topic (catalogue id or physical name)')
    .option('--group <groupId>', 'only messages this consumer group dead-lettered')
    .option('--since <time>', 'only messages dead-lettered at or after this ISO time', parseSince)
    .option(
      '--entry <positions>',
      'only these dead-letter positions (partition:offset, comma-separated)',
      parseEntryList,
    )
    .option('--limit <n>', 'only the most recent n matches', parsePositiveInt);
}

export function registerDlqCommands(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description('inspect and replay the dead-letter topic');

  withFilters(dlq.command('list').description('list dead-lettered messages with the reason they failed'))
    .option('--json', 'print JSON (includes the original values)')
    .action(async (opts: DlqOptions & { json?: boolean }) => {
      const entries = await loadDeadLetters(ctx, opts);
      if (opts.json) ctx.io.out(JSON.stringify(entries, null, 2));
      else if (entries.length === 0) ctx.io.out('no dead-lettered messages match');
      else ctx.io.out(formatDeadLetters(entries));
    });

  withFilters(
    dlq
      .command('replay')
      .description(
        're-publish dead-lettered messages, unchanged, to their original topics (consumers are idempotent; fix the cause first)',
      ),
  )
    .option('--dry-run', 'show what would be replayed without publishing')
    .action(async (opts: DlqOptions & { dryRun?: boolean }) => {
      if (
        opts.topic === undefined &&
        opts.entry === undefined &&
        opts.limit === undefined &&
        opts.since === undefined
      ) {
        throw usageError(
          'replay needs a selection: --topic, --entry, --since or --limit (replaying everything is rarely meant)',
        );
      }
      const entries = await loadDeadLetters(ctx, opts);
      if (entries.length === 0) {
        ctx.io.out('no dead-lettered messages match; nothing replayed');
        return;
      }
      const deadLetterTopic = ctx.kafka().topic('deadLetter');
      const replays = entries.map((e) => replayMessage(e, deadLetterTopic));
      if (opts.dryRun) {
        ctx.io.out(formatDeadLetters(entries));
        ctx.io.out(`dry run: would replay ${replays.length} message(s)`);
        return;
      }
      const producer = ctx.kafka().producer({ name: 'cli-dlq-replay' });
      await producer.connect();
      ctx.defer(() => producer.disconnect());
      // One publish per original topic keeps each topic's messages in their dead-letter order.
      const byTopic = new Map<string, Array<(typeof replays)[number]['message']>>();
      for (const r of replays) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.message]);
      for (const [topic, messages] of byTopic) {
        await producer.publishRaw(topic, messages);
        ctx.io.out(`replayed ${messages.length} message(s) to ${topic}`);
      }
    });
}
