import type { Readable } from 'node:stream';
import {
  SegmentMessageSchema,
  issuesFromZod,
  type CanonicalEventV1,
  type SegmentMessageInput,
} from '@tessera/contracts';
import { parse } from 'csv-parse';
import type { SourceProfile } from '../sources/source-resolver';
import type { IngestService } from '../tracking/ingest-service';
import type { ImportRecord, ImportStore, RowError } from './import-store';

/**
 * Column mapping: target field → CSV column. Targets: `userId`, `anonymousId`, `email`, `phone`,
 * `timestamp`, `trait.<name>` (any trait), `externalId.<type>` (an identifier of that type).
 */
export type ColumnMapping = Record<string, string>;

const TARGET =
  /^(userId|anonymousId|email|phone|timestamp|trait\.[A-Za-z0-9_]{1,64}|externalId\.[a-z][a-z0-9_]{0,63})$/;

/** Parses `email=Email,phone=Mobile,trait.plan=Plan` (the CLI and API `mapping` format). */
export function parseMapping(spec: string): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const target = part.slice(0, eq).trim();
    const column = part.slice(eq + 1).trim();
    if (eq <= 0 || column.length === 0 || !TARGET.test(target))
      throw new Error(
        `bad mapping "${part}": use target=Column with target one of userId, anonymousId, email, phone, timestamp, trait.<name>, externalId.<type>`,
      );
    mapping[target] = column;
  }
  if (Object.keys(mapping).length === 0) throw new Error('mapping is empty');
  return mapping;
}

/** One CSV row as an identify call; messageId is stable per (import, row) so a resumed import deduplicates. */
export function rowToMessage(
  importId: string,
  rowNumber: number,
  row: Record<string, string>,
  mapping: ColumnMapping,
): SegmentMessageInput {
  const get = (target: string) => {
    const column = mapping[target];
    const v = column === undefined ? undefined : row[column]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const traits: Record<string, string> = {};
  const externalIds: Array<{ id: string; type: string; collection: string; encoding: string }> = [];
  for (const target of Object.keys(mapping)) {
    const v = get(target);
    if (v === undefined) continue;
    if (target.startsWith('trait.')) traits[target.slice(6)] = v;
    if (target.startsWith('externalId.'))
      externalIds.push({ id: v, type: target.slice(11), collection: 'users', encoding: 'none' });
  }
  const email = get('email');
  const phone = get('phone');
  if (email !== undefined) traits.email = email;
  if (phone !== undefined) traits.phone = phone;
  const msg: SegmentMessageInput = {
    type: 'identify',
    messageId: `import:${importId}:${rowNumber}`,
    traits,
    context: externalIds.length > 0 ? { externalIds } : {},
  };
  const userId = get('userId');
  const anonymousId = get('anonymousId');
  const timestamp = get('timestamp');
  if (userId !== undefined) msg.userId = userId;
  if (anonymousId !== undefined) msg.anonymousId = anonymousId;
  if (timestamp !== undefined) msg.timestamp = timestamp;
  return msg;
}

export interface ImportProgress {
  rowsDone: number;
  accepted: number;
  rejected: number;
}

export interface CsvImportDeps {
  ingest: IngestService;
  store: ImportStore;
  source: SourceProfile;
  batchSize?: number;
  now?: () => Date;
  onProgress?: (p: ImportProgress) => void;
}

/**
 * Streams a CSV (never held in memory), validates each row like an API call, publishes valid rows
 * in batches and checkpoints `rows_done` after each batch is acknowledged by Kafka. Rows up to the
 * checkpoint are skipped on resume; rows of an unacknowledged batch are resent and deduplicated by
 * their stable messageId. Invalid rows are recorded (row number, field, reason) and skipped.
 * Row numbers count data rows from 1 (the header is not a row).
 */
export async function runCsvImport(
  input: Readable,
  record: ImportRecord,
  deps: CsvImportDeps,
): Promise<ImportProgress> {
  const batchSize = deps.batchSize ?? 500;
  const now = deps.now ?? (() => new Date());
  const progress: ImportProgress = {
    rowsDone: record.rowsDone,
    accepted: record.rowsAccepted,
    rejected: record.rowsRejected,
  };
  let batch: CanonicalEventV1[] = [];
  let errors: RowError[] = [];
  let lastRow = record.rowsDone;
  let batchAccepted = 0;
  let batchRejected = 0;

  const flush = async () => {
    if (lastRow === progress.rowsDone) return;
    if (batch.length > 0) await deps.ingest.deliver(batch, deps.source);
    await deps.store.checkpoint(record.id, {
      rowsDone: lastRow,
      accepted: batchAccepted,
      rejected: batchRejected,
      errors,
    });
    progress.accepted += batchAccepted;
    progress.rejected += batchRejected;
    progress.rowsDone = lastRow;
    batch = [];
    errors = [];
    batchAccepted = 0;
    batchRejected = 0;
    deps.onProgress?.({ ...progress });
  };

  const parser = parse({
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: false,
  });
  // pipe() does not forward errors: an aborted upload must fail the import, not hang it.
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let rowNumber = 0;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    rowNumber += 1;
    if (rowNumber <= record.rowsDone) continue;
    lastRow = rowNumber;
    const parsed = SegmentMessageSchema.safeParse(rowToMessage(record.id, rowNumber, row, record.mapping));
    if (!parsed.success) {
      batchRejected += 1;
      errors.push(
        ...issuesFromZod(parsed.error).map((i) => ({ row: rowNumber, field: i.path, reason: i.message })),
      );
    } else {
      const prepared = deps.ingest.prepare([parsed.data], deps.source, {
        receivedAt: now(),
        gpcHeader: false,
      });
      if ('issues' in prepared) {
        batchRejected += 1;
        errors.push(...prepared.issues.map((i) => ({ row: rowNumber, field: i.path, reason: i.message })));
      } else {
        batch.push(...prepared.events);
        batchAccepted += 1;
        errors.push(
          ...prepared.warnings.map((w) => ({
            row: rowNumber,
            field: w.path,
            reason: `${w.message} (row imported without it)`,
          })),
        );
      }
    }
    if (rowNumber - progress.rowsDone >= batchSize) await flush();
  }
  await flush();
  return progress;
}
