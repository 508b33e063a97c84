/**
 * Shared setup of the profile-store benches: a throwaway database, and profiles seeded through the
 * real batched write path (`ingestResolvedBatch`: idempotency keys, identities with sealed raw
 * values, sealed personal traits, survivorship, computed traits, outbox).
 */
import pg from 'pg';
import { uuidv7, type ResolvedEventV1 } from '@tessera/contracts';
import { LocalKeyring } from '@tessera/crypto';
import { createPool, migrate } from '@tessera/db';
import { ingestResolvedBatch, migrations, type ProfileStoreCore as Core } from '@tessera/profile-store';

export const benchCoreSettings = () => ({
  IDENTIFIER_HASH_KEY: 'YmVuY2gtaWRlbnRpZmllci1oYXNoLWtleS0zMi1ieXRlcy1sb25nISE',
  PII_KEYRING: `bench:${LocalKeyring.generateKey()}`,
  REPORTING_CURRENCY: 'USD',
});

export const emailOf = (i: number): string => `bench.user${i}@example.com`;
export const phoneOf = (i: number): string => `+4915${String(100_000_000 + i).slice(-9)}`;

export interface BenchDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A new migrated database `<prefix>_<time>` with a pool of `poolSize` on the profile-store schema. */
export async function createBenchDatabase(
  adminUrl: string,
  prefix: string,
  poolSize: number,
): Promise<BenchDatabase> {
  const name = `${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool({ connectionString: url.toString(), schema: migrations.schema, max: poolSize });
  await migrate(pool, { schema: migrations.schema, migrationsDir: migrations.dir });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * `events` resolved events over `profileIds`, split into `streams` like Kafka partitions keyed by
 * profile id. A profile's first event is an identify with email and phone (identifiers) and
 * email, phone, first and last name (personal, sealed) and plan (plain) — with `emailOnly`, email
 * alone as identifier and email, first name and plan as traits; later ones are page views and
 * every fifth an order, spread over the last 90 days.
 */
export function makeResolvedEvents(
  profileIds: string[],
  hasher: Core['hasher'],
  opts: { events: number; streams: number; emailOnly?: boolean },
): ResolvedEventV1[][] {
  const withPhone = !opts.emailOnly;
  const profiles = profileIds.length;
  const streams: ResolvedEventV1[][] = Array.from({ length: opts.streams }, () => []);
  const start = Date.now() - 90 * 86_400_000;
  for (let n = 0; n < opts.events; n++) {
    const p = n % profiles;
    const first = n < profiles;
    const identifiers = [
      { type: 'email', value: emailOf(p) },
      ...(first && withPhone ? [{ type: 'phone', value: phoneOf(p) }] : []),
    ];
    const at = new Date(start + Math.floor((n / opts.events) * 89 * 86_400_000)).toISOString();
    const isOrder = !first && n % 5 === 0;
    const event: ResolvedEventV1 = {
      schemaVersion: 1,
      profileId: profileIds[p]!,
      event: {
        schemaVersion: 1,
        eventId: uuidv7(),
        messageId: `m-${n}`,
        sourceId: n % 3 === 0 ? 'shop' : 'web',
        channel: n % 3 === 0 ? 'ecommerce' : 'web',
        type: first ? 'identify' : isOrder ? 'track' : 'page',
        ...(isOrder ? { event: 'Order Completed' } : {}),
        ...(!first && !isOrder ? { name: 'Home' } : {}),
        identifiers,
        traits: first
          ? {
              email: emailOf(p),
              ...(withPhone ? { phone: phoneOf(p) } : {}),
              firstName: `User${p}`,
              ...(withPhone ? { lastName: `Bench${p}` } : {}),
              plan: p % 2 ? 'pro' : 'free',
            }
          : {},
        properties: isOrder ? { revenue: 10 + (n % 90), currency: 'USD' } : { path: '/' },
        context: {},
        timestamp: at,
        receivedAt: at,
        consentSignals: [],
      },
      identifierHashes: identifiers.map((i) => ({ type: i.type, hash: hasher(i.type, i.value) })),
      newProfile: first,
      decisions: [],
      resolvedAt: at,
    };
    streams[p % opts.streams]!.push(event);
  }
  return streams;
}

/** Ingests the streams concurrently in batches through the real write path; returns seconds taken. */
export async function ingestStreams(
  core: Core,
  streams: ResolvedEventV1[][],
  batch: number,
): Promise<number> {
  const started = performance.now();
  await Promise.all(
    streams.map(async (events) => {
      for (let i = 0; i < events.length; i += batch)
        await ingestResolvedBatch(core, events.slice(i, i + batch));
    }),
  );
  return (performance.now() - started) / 1000;
}
