import { AppError, type JsonObject } from '@tessera/contracts';
import { uuidArray, type Queryable } from '@tessera/db';
import pg from 'pg';

/** A profile row as stored. */
export interface ProfileRow {
  id: string;
  version: number;
  traits: JsonObject;
  piiTraits: Record<string, string>;
  traitWinners: Record<string, TraitWinner>;
  computed: JsonObject;
  consent: Record<string, string>;
  mergedInto: string | null;
  mergedFrom: string[];
  createdAt: string;
  updatedAt: string;
}

/** Provenance of a golden value: the observation that won. */
export interface TraitWinner {
  observationId: string;
  source: string;
  channel: string;
  observedAt: string;
  eventId: string;
  rule: string;
}

interface DbProfileRow {
  id: string;
  version: string;
  traits: JsonObject;
  pii_traits: Record<string, string>;
  trait_winners: Record<string, TraitWinner>;
  computed: JsonObject;
  consent: Record<string, string>;
  merged_into: string | null;
  merged_from: string[];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, version, traits, pii_traits, trait_winners, computed, consent, merged_into, merged_from, created_at, updated_at';

function toDomain(row: DbProfileRow): ProfileRow {
  return {
    id: row.id,
    version: Number(row.version),
    traits: row.traits,
    piiTraits: row.pii_traits,
    traitWinners: row.trait_winners,
    computed: row.computed,
    consent: row.consent,
    mergedInto: row.merged_into,
    mergedFrom: row.merged_from,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Row-locks the profiles, creating the missing ones (empty), in one pass in id order. Concurrent
 * batches (other partitions) can share profiles; taking every lock in one global order keeps them
 * from deadlocking, which Postgres only detects after deadlock_timeout (a second-long stall). Two
 * passes, inserting the missing rows and then locking all, could deadlock even with both in order:
 * a row inserted by the first pass is held while the second starts over from the lowest id.
 * `DO UPDATE ... WHERE false` locks an existing row without writing a new version of it.
 */
export async function lockOrCreateProfiles(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query({
    name: 'profile_store.lock_or_create_profiles', // named: see CLAIM_EVENT_KEYS in ingest-batch.ts
    text: `INSERT INTO profiles (id) SELECT id FROM unnest($1::uuid[]) AS u(id) ORDER BY id
           ON CONFLICT (id) DO UPDATE SET version = profiles.version WHERE false`,
    // unique ids: DO UPDATE refuses to meet the same row twice in one statement
    values: [uuidArray(new Set(ids))],
  });
}

/** Where merge chains lead: each id's surviving profile, and shortcuts for chains of two hops or more. */
export interface MergeChains {
  roots: Map<string, string>;
  /** pointer id → its root, for every id on a chain longer than one hop */
  shortcuts: Map<string, string>;
}

/**
 * Follows `merged_into` pointers to each id's surviving profile (reads only). Ids without a row
 * are their own root.
 */
export async function followMergeChains(db: Queryable, ids: string[]): Promise<MergeChains> {
  const roots = new Map(ids.map((id) => [id, id]));
  let frontier = [...new Set(ids)];
  const walked = new Map<string, string[]>(); // root-so-far -> ids that lead to it
  for (let hop = 0; hop < 64 && frontier.length > 0; hop++) {
    const { rows } = await db.query<{ id: string; merged_into: string }>(
      'SELECT id, merged_into FROM profiles WHERE id = ANY($1::uuid[]) AND merged_into IS NOT NULL',
      [uuidArray(frontier)],
    );
    const next = new Map(rows.map((r) => [r.id, r.merged_into]));
    for (const [start, current] of roots) {
      const target = next.get(current);
      if (target !== undefined) {
        roots.set(start, target);
        const chain = walked.get(start) ?? [];
        chain.push(current);
        walked.set(start, chain);
      }
    }
    frontier = [...new Set(rows.map((r) => r.merged_into))];
  }
  const shortcuts = new Map<string, string>();
  for (const [start, chain] of walked)
    if (chain.length > 1) for (const id of chain) shortcuts.set(id, roots.get(start)!);
  return { roots, shortcuts };
}

/**
 * Points every id on a long chain straight at its root (path compression, so later reads take one
 * hop). Best effort: a pointer row another transaction holds is skipped rather than waited for,
 * so shortening a chain never stalls a read or joins a deadlock with a merge re-pointing the
 * same rows.
 */
export async function shortenMergeChains(db: Queryable, shortcuts: Map<string, string>): Promise<void> {
  if (shortcuts.size === 0) return;
  await db.query(
    `UPDATE profiles p SET merged_into = c.root FROM unnest($1::uuid[], $2::uuid[]) AS c(id, root)
      WHERE p.id = c.id AND p.merged_into IS DISTINCT FROM c.root
        AND p.id IN (SELECT id FROM profiles WHERE id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED)`,
    [uuidArray(shortcuts.keys()), uuidArray(shortcuts.values())],
  );
}

/** Each id's surviving profile (merge chains followed), shortening the long chains it walked. */
export async function resolveRoots(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  const { roots, shortcuts } = await followMergeChains(db, ids);
  await shortenMergeChains(db, shortcuts);
  return roots;
}

/**
 * Resolves ids to their surviving profiles, creates missing ones and row-locks them; call it in
 * a transaction. A merge that commits between resolving and locking turns a locked row into a
 * pointer, so resolution repeats until every locked row is a root (without this, an event could
 * land on an absorbed profile). Before it repeats, it rolls back to a savepoint taken before the
 * locks, releasing them: locking the new roots while still holding the old ones would take locks
 * out of id order and could deadlock with a batch that holds a new root and waits for an old one.
 * Long chains are shortened only once their roots are locked: a merge locks the roots before it
 * re-points pointer rows, so taking a pointer row first could deadlock with it.
 */
export async function lockRoots(
  db: Queryable,
  ids: string[],
): Promise<{ roots: Map<string, string>; profiles: Map<string, ProfileRow> }> {
  await db.query('SAVEPOINT lock_roots');
  for (let attempt = 0; attempt < 10; attempt++) {
    const { roots, shortcuts } = await followMergeChains(db, ids);
    const rootIds = [...new Set(roots.values())];
    await lockOrCreateProfiles(db, rootIds);
    const profiles = await lockProfiles(db, rootIds);
    if ([...profiles.values()].every((p) => p.mergedInto === null)) {
      await shortenMergeChains(db, shortcuts);
      return { roots, profiles };
    }
    await db.query('ROLLBACK TO SAVEPOINT lock_roots');
  }
  throw new AppError('CONFLICT', 'profiles kept being merged while locking them', {
    statusCode: 409,
    retryable: true,
  });
}

/** A locked row as selected: provenance and timestamps still as Postgres printed them. */
interface LockedDbRow extends Omit<DbProfileRow, 'trait_winners' | 'created_at' | 'updated_at'> {
  trait_winners: string;
  created_at: string;
  updated_at: string;
}

const LOCK_COLUMNS =
  'id, version, traits, pii_traits, trait_winners::text AS trait_winners, computed, consent, merged_into, merged_from, ' +
  'created_at::text AS created_at, updated_at::text AS updated_at';

const parseTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (
  text: string,
) => Date;

/**
 * Defines `key` as an own, enumerable property that runs `load` on first read (a write replaces
 * it), so spreads, JSON and callers see an ordinary value.
 */
function lazy<K extends keyof ProfileRow>(target: ProfileRow, key: K, load: () => ProfileRow[K]): void {
  let value: ProfileRow[K] | undefined;
  let loaded = false;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!loaded) {
        value = load();
        loaded = true;
      }
      return value;
    },
    set: (next: ProfileRow[K]) => {
      value = next;
      loaded = true;
    },
  });
}

/**
 * Locked rows parse their provenance and timestamps on first use. Ingestion locks up to a batch's
 * worth of profiles and reads neither for most of them (a page view changes no golden value), and
 * parsing them was about a tenth of its driver-side row handling plus the garbage it left.
 */
function lockedToDomain(row: LockedDbRow): ProfileRow {
  const profile = {
    id: row.id,
    version: Number(row.version),
    traits: row.traits,
    piiTraits: row.pii_traits,
    computed: row.computed,
    consent: row.consent,
    mergedInto: row.merged_into,
    mergedFrom: row.merged_from,
  } as ProfileRow;
  lazy(profile, 'traitWinners', () => JSON.parse(row.trait_winners) as Record<string, TraitWinner>);
  lazy(profile, 'createdAt', () => parseTimestamptz(row.created_at).toISOString());
  lazy(profile, 'updatedAt', () => parseTimestamptz(row.updated_at).toISOString());
  return profile;
}

/** Loads and row-locks profiles in id order (a fixed order keeps concurrent batches deadlock-free). */
export async function lockProfiles(db: Queryable, ids: string[]): Promise<Map<string, ProfileRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<LockedDbRow>(
    `SELECT ${LOCK_COLUMNS} FROM profiles WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [uuidArray(ids)],
  );
  return new Map(rows.map((r) => [r.id, lockedToDomain(r)]));
}

/**
 * One round trip for reads: the profile an id (or an identifier's owner) points at. Merges keep
 * pointers one hop deep (everything pointing at an absorbed profile is re-pointed), so a second
 * hop only happens mid-merge; callers fall back to `resolveRoots` when the row is still a pointer.
 */
export async function findSurvivingProfile(
  db: Queryable,
  by: { id: string } | { type: string; hash: string },
): Promise<ProfileRow | undefined> {
  const cols = COLUMNS.split(', ')
    .map((c) => `p.${c}`)
    .join(', ');
  const { rows } =
    'id' in by
      ? await db.query<DbProfileRow>(
          `SELECT ${cols} FROM profiles r JOIN profiles p ON p.id = COALESCE(r.merged_into, r.id) WHERE r.id = $1`,
          [by.id],
        )
      : await db.query<DbProfileRow>(
          `SELECT ${cols} FROM identities i JOIN profiles r ON r.id = i.profile_id
             JOIN profiles p ON p.id = COALESCE(r.merged_into, r.id) WHERE i.type = $1 AND i.hash = $2`,
          [by.type, by.hash],
        );
  return rows[0] ? toDomain(rows[0]) : undefined;
}

export async function findProfile(db: Queryable, id: string): Promise<ProfileRow | undefined> {
  const { rows } = await db.query<DbProfileRow>(`SELECT ${COLUMNS} FROM profiles WHERE id = $1`, [id]);
  return rows[0] ? toDomain(rows[0]) : undefined;
}

export async function findProfiles(db: Queryable, ids: string[]): Promise<ProfileRow[]> {
  const { rows } = await db.query<DbProfileRow>(
    `SELECT ${COLUMNS} FROM profiles WHERE id = ANY($1::uuid[]) ORDER BY id`,
    [ids],
  );
  return rows.map(toDomain);
}

/**
 * Writes the whole state of many profiles in one statement and bumps their versions: merges,
 * splits, consent changes and scoring jobs. (Ingestion writes only what changed; see
 * features/ingestion/profile-writes.ts.)
 */
export async function saveProfiles(db: Queryable, profiles: ProfileRow[]): Promise<void> {
  if (profiles.length === 0) return;
  const rows = profiles.map((p) => ({
    id: p.id,
    version: p.version,
    mergedInto: p.mergedInto,
    mergedFrom: p.mergedFrom,
    traits: p.traits,
    piiTraits: p.piiTraits,
    traitWinners: p.traitWinners,
    computed: p.computed,
    consent: p.consent,
  }));
  await db.query(
    `UPDATE profiles p SET
        traits = u.traits, pii_traits = u."piiTraits", trait_winners = u."traitWinners", computed = u.computed,
        consent = u.consent, merged_into = u."mergedInto", merged_from = u."mergedFrom",
        version = u.version, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, traits jsonb, "piiTraits" jsonb, "traitWinners" jsonb, computed jsonb,
            consent jsonb, "mergedInto" uuid, "mergedFrom" uuid[], version bigint)
      WHERE p.id = u.id`,
    [JSON.stringify(rows)],
  );
}
