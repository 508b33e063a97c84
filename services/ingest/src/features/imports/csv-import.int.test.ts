import { Readable } from 'node:stream';
import { collectMessages, waitFor } from '@tessera/testkit';
import { basic, startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';
import { runCsvImport } from './csv-import';
import { createImportStore } from './import-store';

let h: IngestHarness;

beforeAll(async () => {
  h = await startIngestHarness();
  await h.sources.create({ id: 'sheets', name: 'Spreadsheets', channel: 'import', defaultRegion: 'US' });
});
afterAll(async () => h?.close());

const csv = [
  'Customer ID,Email,Mobile,Plan',
  'C-1,ana@example.com,(415) 555-2671,gold',
  'C-2,not-an-email,,silver',
  ',broken,,none',
  'C-4,"Bo@Example.com",,gold',
].join('\n');

describe('CSV import', () => {
  it('POST /v1/imports should stream rows into identify events and report invalid rows by number and field', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/imports?importId=first&mapping=userId=Customer%20ID,email=Email,phone=Mobile,trait.plan=Plan',
      headers: { 'content-type': 'text/csv', authorization: basic(h.writeKey('sheets')) },
      payload: csv,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      importId: 'first',
      status: 'completed',
      rowsDone: 4,
      accepted: 3,
      rejected: 1,
    });
    expect(res.json().errors).toEqual([
      { row: 2, field: 'traits.email', reason: expect.stringContaining('row imported without it') },
      { row: 3, field: 'traits.email', reason: expect.stringContaining('no valid identifier') },
    ]);
    const messages = await collectMessages(h.kafka, 'eventsIngested', {
      until: (s) => s.filter((m) => m.value?.sourceId === 'sheets').length >= 3,
      timeoutMs: 30_000,
    });
    const first = messages.find((m) => m.value?.messageId === 'import:first:1')!.value!;
    expect(first).toMatchObject({
      type: 'identify',
      channel: 'import',
      traits: { plan: 'gold', email: 'ana@example.com' },
    });
    expect(first.identifiers.map((i) => i.value)).toEqual(['C-1', 'ana@example.com', '+14155552671']);
  });

  it('an interrupted import should resume after the last checkpoint without publishing rows twice', async () => {
    const store = createImportStore(h.pool);
    const source = {
      id: 'sheets',
      channel: 'import' as const,
      defaultRegion: 'US' as const,
      allowedEventTypes: undefined,
      rateLimitPerSecond: 1000,
      registered: true,
    };
    const rows = ['Email'].concat(Array.from({ length: 10 }, (_, i) => `resume${i + 1}@example.com`));
    const record = await store.open({ id: 'resume', sourceId: 'sheets', mapping: { email: 'Email' } });
    // The upload dies after 5 rows.
    const partial = new Readable({ read() {} });
    partial.push(rows.slice(0, 6).join('\n') + '\n');
    const running = runCsvImport(partial, record, { ingest: h.ingest, store, source, batchSize: 2 });
    await waitFor(
      async () =>
        (await h.pool.query<{ rows_done: string }>(`SELECT rows_done FROM imports WHERE id = 'resume'`))
          .rows[0]!.rows_done === '4',
    );
    partial.destroy(new Error('connection reset'));
    await expect(running).rejects.toThrow('connection reset');
    const checkpoint = await store.open({ id: 'resume', sourceId: 'sheets', mapping: { email: 'Email' } });
    expect(checkpoint.rowsDone).toBe(4);
    const done = await runCsvImport(Readable.from([rows.join('\n')]), checkpoint, {
      ingest: h.ingest,
      store,
      source,
      batchSize: 2,
    });
    expect(done).toEqual({ rowsDone: 10, accepted: 10, rejected: 0 });
    const messages = await collectMessages(h.kafka, 'eventsIngested', {
      until: (s) =>
        new Set(
          s.filter((m) => m.value?.messageId.startsWith('import:resume:')).map((m) => m.value!.messageId),
        ).size >= 10,
      timeoutMs: 30_000,
    });
    const ids = messages.map((m) => m.value!.messageId).filter((id) => id.startsWith('import:resume:'));
    expect(ids).toHaveLength(10);
  });
});
