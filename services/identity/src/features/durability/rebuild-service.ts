import type { Redis } from 'ioredis';
import type { Queryable } from '@tessera/db';
import type { Logger } from '@tessera/observability';
import { loadGraph } from '../../graph/graph-loader';
import type { LoadedProfile } from '../../graph/graph-loader';
import type { GraphStore } from '../../graph/graph-store';
import { createForwarding } from '../../graph/union-find';
import type { CompiledRules } from '../../rules/identity-rules';
import { restoreFanIn, type TypedEdge } from './fan-in-restore';

const PAGE = 50_000;

/**
 * Rebuilds the Redis graph from the durable copy: deletes the graph's keys, follows merge
 * forwarding pointers to each link's current profile, and bulk-loads profiles, links, quarantine
 * and the fan-in sets restored from the co-occurrence edges (fan-in-restore.ts). Run with the
 * identity consumers stopped (or accept that events resolved during the rebuild are re-linked
 * from their own identifiers).
 */
export async function rebuildGraph(deps: {
  db: Queryable;
  redis: Redis;
  graph: GraphStore;
  rules: Pick<CompiledRules, 'countsTowardsFanIn'>;
  logger: Logger;
  now?: () => number;
}): Promise<{ profiles: number; identifiers: number; quarantined: number; fanIn: number }> {
  const { db, logger } = deps;
  const forward = new Map<string, string>();
  const created = new Map<string, number>();
  for await (const row of paged<{ profile_id: string; merged_into: string | null; created_s: string }>(
    db,
    `SELECT profile_id::text, merged_into::text, extract(epoch FROM created_at)::bigint AS created_s FROM profiles WHERE profile_id > $1::uuid ORDER BY profile_id LIMIT ${PAGE}`,
    ['00000000-0000-0000-0000-000000000000'],
    (r) => [r.profile_id],
  )) {
    if (row.merged_into !== null) forward.set(row.profile_id, row.merged_into);
    created.set(row.profile_id, Number(row.created_s));
  }
  const current = createForwarding(forward);
  const profiles = new Map<string, LoadedProfile>();
  for await (const row of paged<{ identifier_hash: string; identifier_type: string; profile_id: string }>(
    db,
    `SELECT identifier_hash, identifier_type, profile_id::text FROM links WHERE identifier_hash > $1 ORDER BY identifier_hash LIMIT ${PAGE}`,
    [''],
    (r) => [r.identifier_hash],
  )) {
    const root = current(row.profile_id);
    let p = profiles.get(root);
    if (!p) {
      p = {
        profileId: root,
        createdAtSeconds: created.get(root) ?? Math.floor((deps.now ?? Date.now)() / 1000),
        counts: {},
        hashes: [],
      };
      profiles.set(root, p);
    }
    p.hashes.push(row.identifier_hash);
    p.counts[row.identifier_type] = (p.counts[row.identifier_type] ?? 0) + 1;
  }
  const quarantined = (
    await db.query<{ identifier_hash: string }>('SELECT identifier_hash FROM quarantine')
  ).rows.map((r) => r.identifier_hash);
  const fanIn = await restoreFanIn(typedEdges(db), deps.rules, new Set(quarantined));
  const flushed = await deps.graph.flush();
  logger.info(
    { flushedKeys: flushed, profiles: profiles.size },
    'identity graph flushed; loading from Postgres',
  );
  const loaded = await loadGraph(deps.redis, deps.graph.keys, {
    profiles: [...profiles.values()].sort((a, b) => (a.profileId < b.profileId ? -1 : 1)),
    quarantined,
    fanIn,
    nowSeconds: Math.floor((deps.now ?? Date.now)() / 1000),
  });
  const counts = { ...loaded, quarantined: quarantined.length, fanIn: fanIn.size };
  logger.info(counts, 'identity graph rebuilt');
  return counts;
}

/** Every edge whose two ends are still linked, with their types. */
async function* typedEdges(db: Queryable): AsyncGenerator<TypedEdge> {
  for await (const r of paged<{ a: string; b: string; a_type: string; b_type: string }>(
    db,
    `SELECT e.a_hash AS a, e.b_hash AS b, la.identifier_type AS a_type, lb.identifier_type AS b_type
       FROM edges e
       JOIN links la ON la.identifier_hash = e.a_hash
       JOIN links lb ON lb.identifier_hash = e.b_hash
      WHERE (e.a_hash, e.b_hash) > ($1, $2)
      ORDER BY e.a_hash, e.b_hash LIMIT ${PAGE}`,
    ['', ''],
    (r) => [r.a, r.b],
  ))
    yield { a: r.a, aType: r.a_type, b: r.b, bType: r.b_type };
}

/**
 * Keyset pagination (no long-lived cursor or transaction): `sql` takes the key of the last row
 * read as its parameters, `start` below every key for the first page.
 */
async function* paged<R extends object>(
  db: Queryable,
  sql: string,
  start: string[],
  keyOf: (row: R) => string[],
): AsyncGenerator<R> {
  let after = start;
  for (;;) {
    const rows = (await db.query(sql, after)).rows as R[];
    for (const row of rows) yield row;
    if (rows.length < PAGE) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}
