import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { parseMapping } from './csv-import';

export interface ImportCommandOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

/**
 * `tessera import csv <file> --source <id> --map email=Email,…`: streams the file to a running
 * ingest (`POST /v1/imports`) with a progress bar over the bytes sent. The import id defaults to
 * the file name, so re-running the same command after an interruption resumes the import.
 */
export function registerImportCommands(program: Command, opts: ImportCommandOptions = {}): void {
  const out = opts.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const env = () => opts.env ?? process.env;
  program
    .command('import')
    .description('bulk imports')
    .command('csv <file>')
    .description('import a CSV of contacts through ingest (streamed, resumable)')
    .requiredOption('--source <id>', 'the source the rows belong to (must match the write key)')
    .requiredOption(
      '--map <mapping>',
      'target=Column,… (userId, anonymousId, email, phone, timestamp, trait.<name>, externalId.<type>)',
    )
    .option('--import-id <id>', 'resume key (default: the file name)')
    .option('--url <url>', 'ingest base URL (default $TESSERA_INGEST_URL or http://127.0.0.1:8080)')
    .option('--write-key <key>', 'the source write key (default $TESSERA_WRITE_KEY)')
    .option('--no-progress', 'no progress bar')
    .action(
      async (
        file: string,
        o: {
          source: string;
          map: string;
          importId?: string;
          url?: string;
          writeKey?: string;
          progress: boolean;
        },
      ) => {
        parseMapping(o.map); // fail fast on a bad mapping, before sending anything
        const writeKey = o.writeKey ?? env().TESSERA_WRITE_KEY;
        if (!writeKey) throw new Error('a write key is required: --write-key or TESSERA_WRITE_KEY');
        const base = (o.url ?? env().TESSERA_INGEST_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
        const importId =
          o.importId ??
          basename(file)
            .replace(/[^A-Za-z0-9._-]/g, '_')
            .slice(0, 100);
        const size = statSync(file).size;
        const bar =
          o.progress && process.stderr.isTTY
            ? new SingleBar(
                { format: 'importing [{bar}] {percentage}% | {value}/{total} bytes', stream: process.stderr },
                Presets.shades_classic,
              )
            : undefined;
        bar?.start(size, 0);
        let sent = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            sent += chunk.length;
            bar?.update(sent);
            done(null, chunk);
          },
        });
        const body = Readable.toWeb(createReadStream(file).pipe(counter)) as ReadableStream<Uint8Array>;
        const query = new URLSearchParams({ importId, mapping: o.map, source: o.source });
        try {
          const res = await fetch(`${base}/v1/imports?${query.toString()}`, {
            method: 'POST',
            headers: { 'content-type': 'text/csv', authorization: `Bearer ${writeKey}` },
            body,
            duplex: 'half',
          } as RequestInit & { duplex: 'half' });
          const text = await res.text();
          if (!res.ok) throw new Error(`import failed (${res.status}): ${text}`);
          out(text);
        } finally {
          bar?.stop();
        }
      },
    );
}
