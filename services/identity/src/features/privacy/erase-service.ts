import type { PrivacyCommandV1, PrivacyStatusV1 } from '@tessera/contracts';
import type pg from 'pg';
import type { Queryable } from '@tessera/db';
import { withTransaction } from '@tessera/db';
import type { Logger } from '@tessera/observability';
import type { GraphStore } from '../../graph/graph-store';
import { currentProfileId, linkedIdentifiers, profileTree } from '../durability/profile-tree';
import type { Publisher } from '../publisher';

export interface EraseService {
  /** Applies one erase command and publishes the status. Idempotent: a second run finds nothing and reports residue 0. */
  erase(command: PrivacyCommandV1): Promise<PrivacyStatusV1>;
}

/**
 * Erasure of a data subject from the identity graph: every profile in the subject's merge trees,
 * every identifier linked to them (plus the identifiers named in the command), their Redis links,
 * quarantine entries and profile records, and every identity-schema row mentioning them.
 */
export function createEraseService(deps: {
  pool: pg.Pool;
  graph: GraphStore;
  publisher: Publisher;
  logger: Logger;
  clock?: () => number;
}): EraseService {
  const clock = deps.clock ?? Date.now;
  return {
    async erase(command) {
      const { profiles, hashes } = await subjectScope(deps.pool, command);
      const removedLinks = await deps.graph.erase(hashes);
      await withTransaction(deps.pool, async (tx) => {
        await tx.query('DELETE FROM edges WHERE a_hash = ANY($1::text[]) OR b_hash = ANY($1::text[])', [
          hashes,
        ]);
        await tx.query(
          'DELETE FROM links WHERE identifier_hash = ANY($1::text[]) OR profile_id = ANY($2::uuid[])',
          [hashes, profiles],
        );
        await tx.query(
          'DELETE FROM decisions WHERE identifier_hash = ANY($1::text[]) OR profile_id = ANY($2::uuid[])',
          [hashes, profiles],
        );
        await tx.query(
          'DELETE FROM merges WHERE survivor_id = ANY($1::uuid[]) OR absorbed_id = ANY($1::uuid[]) OR linking_hash = ANY($2::text[])',
          [profiles, hashes],
        );
        await tx.query(
          'DELETE FROM splits WHERE profile_id = ANY($1::uuid[]) OR removed_hash = ANY($2::text[])',
          [profiles, hashes],
        );
        await tx.query('DELETE FROM quarantine WHERE identifier_hash = ANY($1::text[])', [hashes]);
        await tx.query(`DELETE FROM outbox WHERE ${erasableOutboxRows('$1', '$2')}`, [profiles, hashes]);
        await tx.query('DELETE FROM profiles WHERE profile_id = ANY($1::uuid[])', [profiles]);
      });
      const residue =
        (await deps.graph.residue(hashes)) + (await databaseResidue(deps.pool, profiles, hashes));
      const status: PrivacyStatusV1 = {
        schemaVersion: 1,
        requestId: command.requestId,
        service: 'identity',
        status: 'done',
        details: {
          profiles: profiles.length,
          identifiers: hashes.length,
          redisLinksDeleted: removedLinks,
          residue,
        },
        at: new Date(clock()).toISOString(),
      };
      await deps.publisher.publish('privacyStatus', [status]);
      deps.logger.info(
        { requestId: command.requestId, profiles: profiles.length, identifiers: hashes.length, residue },
        'erase applied to identity graph',
      );
      return status;
    },
  };
}

/**
 * Identity-change outbox rows naming the subject (`profiles`, `hashes`: the SQL parameters of its
 * profile ids and identifier hashes): a split's key, its components' profiles and identifiers, the
 * removed identifier. Published rows have left the outbox already (or, with a retention set, only
 * serve debugging); a pending split of an erased profile would only tell profile-store about a
 * profile it is erasing too (it drops its own unpublished rows the same way). Audit events stay:
 * they are the records the audit log keeps, pseudonymous ids included, for accountability
 * (docs/privacy.md, "Audit retention vs. erasure"); the relay delivers them.
 */
function erasableOutboxRows(profiles: string, hashes: string): string {
  return `topic <> 'audit' AND (
    key = ANY(${profiles}::text[])
    OR payload->'removedIdentifier'->>'hash' = ANY(${hashes}::text[])
    OR EXISTS (SELECT 1 FROM jsonb_array_elements(payload->'components') AS c
               WHERE c->>'profileId' = ANY(${profiles}::text[])
                  OR EXISTS (SELECT 1 FROM jsonb_array_elements(c->'identifiers') AS i
                             WHERE i->>'hash' = ANY(${hashes}::text[]))))`;
}

async function subjectScope(
  db: Queryable,
  command: PrivacyCommandV1,
): Promise<{ profiles: string[]; hashes: string[] }> {
  const commandHashes = command.identifiers.map((i) => i.hash);
  const { rows } = await db.query<{ profile_id: string }>(
    'SELECT DISTINCT profile_id::text FROM links WHERE identifier_hash = ANY($1::text[])',
    [commandHashes],
  );
  const starts = new Set([...command.profileIds, ...rows.map((r) => r.profile_id)]);
  const profiles = new Set<string>();
  for (const start of starts) {
    const root = (await currentProfileId(db, start)) ?? start;
    for (const p of await profileTree(db, root)) profiles.add(p);
    profiles.add(start);
  }
  const linked = await linkedIdentifiers(db, [...profiles]);
  return { profiles: [...profiles], hashes: [...new Set([...commandHashes, ...linked.map((l) => l.hash)])] };
}

async function databaseResidue(db: Queryable, profiles: string[], hashes: string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM links WHERE identifier_hash = ANY($1::text[]) OR profile_id = ANY($2::uuid[]))
          + (SELECT count(*) FROM edges WHERE a_hash = ANY($1::text[]) OR b_hash = ANY($1::text[]))
          + (SELECT count(*) FROM decisions WHERE identifier_hash = ANY($1::text[]) OR profile_id = ANY($2::uuid[]))
          + (SELECT count(*) FROM merges WHERE survivor_id = ANY($2::uuid[]) OR absorbed_id = ANY($2::uuid[]))
          + (SELECT count(*) FROM quarantine WHERE identifier_hash = ANY($1::text[]))
          + (SELECT count(*) FROM outbox WHERE ${erasableOutboxRows('$2', '$1')})
          + (SELECT count(*) FROM profiles WHERE profile_id = ANY($2::uuid[])) AS n`,
    [hashes, profiles],
  );
  return Number(rows[0]?.n ?? 0);
}
