import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';
import { registerImportCommands } from './import-cli';

let h: IngestHarness;
let url: string;

beforeAll(async () => {
  h = await startIngestHarness();
  await h.sources.create({ id: 'cli-sheets', name: 'CLI sheets', channel: 'import' });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => h?.close());

describe('tessera import csv', () => {
  it('tessera import csv should stream the file to ingest and print the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-cli-'));
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, 'Email,Id\nzoe@example.com,Z1\nbad,\n');
    const lines: string[] = [];
    const program = new Command().exitOverride();
    registerImportCommands(program, { out: (l) => lines.push(l), env: {} });
    await program.parseAsync(
      [
        'import',
        'csv',
        file,
        '--source',
        'cli-sheets',
        '--map',
        'email=Email,userId=Id',
        '--url',
        url,
        '--write-key',
        h.writeKey('cli-sheets'),
        '--no-progress',
      ],
      { from: 'user' },
    );
    expect(JSON.parse(lines[0]!)).toMatchObject({
      importId: 'contacts.csv',
      status: 'completed',
      rowsDone: 2,
      accepted: 1,
      rejected: 1,
      errors: [{ row: 2, field: 'traits.email' }],
    });
    await expect(
      program.parseAsync(
        [
          'import',
          'csv',
          file,
          '--source',
          'other',
          '--map',
          'email=Email',
          '--url',
          url,
          '--write-key',
          h.writeKey('cli-sheets'),
          '--no-progress',
        ],
        { from: 'user' },
      ),
    ).rejects.toThrow(/403/);
  });
});
