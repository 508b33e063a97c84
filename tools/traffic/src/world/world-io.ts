import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Household, Person, TruthRecord, World, WorldMessage } from './model';
import { Routes } from './model';

export const WorldFiles = {
  manifest: 'manifest.json',
  persons: 'persons.jsonl',
  households: 'households.jsonl',
  messages: 'messages.jsonl',
  truth: 'truth.jsonl',
} as const;

export interface WorldManifest {
  format: 'tessera-traffic/1';
  seed: number;
  persons: number;
  households: number;
  messages: number;
  events: number;
  options: Record<string, unknown>;
}

/** Writes a world as JSON lines; no timestamps of the writing itself, so equal worlds give equal bytes. */
export async function writeWorld(
  dir: string,
  world: World,
  options: Record<string, unknown> = {},
): Promise<WorldManifest> {
  await mkdir(dir, { recursive: true });
  await writeJsonl(path.join(dir, WorldFiles.persons), world.persons);
  await writeJsonl(path.join(dir, WorldFiles.households), world.households);
  await writeJsonl(path.join(dir, WorldFiles.messages), world.messages);
  await writeJsonl(path.join(dir, WorldFiles.truth), world.truth);
  const manifest: WorldManifest = {
    format: 'tessera-traffic/1',
    seed: world.seed,
    persons: world.persons.length,
    households: world.households.length,
    messages: world.messages.length,
    events: world.truth.reduce((sum, t) => sum + t.events, 0),
    options,
  };
  await writeFile(path.join(dir, WorldFiles.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export async function writeJsonl(file: string, rows: Iterable<unknown>): Promise<void> {
  const out = createWriteStream(file);
  for (const row of rows) {
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function* readJsonl(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as unknown;
    } catch (err) {
      throw new Error(`${file}:${n}: not valid JSON`, { cause: err });
    }
  }
}

// Shapes checked when reading a world back (files may have been edited or come from another version).
const RouteSchema = z.enum(Routes);
const TruthIdentifierSchema = z.object({
  type: z.string(),
  raw: z.string(),
  value: z.string(),
  owner: z.enum(['person', 'shared', 'junk']),
  sharedBy: z.array(z.string()).optional(),
});
export const TruthRecordSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  route: RouteSchema,
  personId: z.string(),
  kind: z.string(),
  at: z.string(),
  events: z.number().int().nonnegative(),
  identifiers: z.array(TruthIdentifierSchema),
});
export const WorldMessageSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  route: RouteSchema,
  kind: z.string(),
  at: z.string(),
  body: z.unknown(),
});

async function readAll<T>(file: string, parse: (row: unknown, line: number) => T): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of readJsonl(file)) rows.push(parse(row, rows.length + 1));
  return rows;
}

function parser<S extends z.ZodType>(schema: S, file: string): (row: unknown, line: number) => z.infer<S> {
  return (row, line) => {
    const result = schema.safeParse(row);
    if (!result.success)
      throw new Error(
        `${file} line ${line}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return result.data;
  };
}

export async function readManifest(dir: string): Promise<WorldManifest> {
  return JSON.parse(await readFile(path.join(dir, WorldFiles.manifest), 'utf8')) as WorldManifest;
}

export async function readMessages(dir: string): Promise<WorldMessage[]> {
  return readAll(path.join(dir, WorldFiles.messages), parser(WorldMessageSchema, WorldFiles.messages));
}

export async function readTruth(dir: string): Promise<TruthRecord[]> {
  return readAll(path.join(dir, WorldFiles.truth), parser(TruthRecordSchema, WorldFiles.truth));
}

/** Reads back a world written by `writeWorld`. Persons and households are trusted as written. */
export async function readWorld(dir: string): Promise<World> {
  const manifest = await readManifest(dir);
  const persons = await readAll(path.join(dir, WorldFiles.persons), (row) => row as Person);
  const households = await readAll(path.join(dir, WorldFiles.households), (row) => row as Household);
  return {
    seed: manifest.seed,
    persons,
    households,
    messages: await readMessages(dir),
    truth: await readTruth(dir),
  };
}
