import type { AuditEventV1, HashedIdentifier, SplitChangeV1 } from '@tessera/contracts';
import { AppError, uuidv7 } from '@tessera/contracts';
import type pg from 'pg';
import { withTransaction } from '@tessera/db';
import type { Logger } from '@tessera/observability';
import { enqueueOutbox, type OutboxRelay } from '@tessera/outbox';
import type { GraphStore } from '../../graph/graph-store';
import type { CompiledRules } from '../../rules/identity-rules';
import { currentProfileId, linkedIdentifiers, profileTree } from '../durability/profile-tree';
import { computeSplit } from './compute-split';

export interface UnmergeRequest {
  profileId: string;
  identifier: HashedIdentifier;
  reason: string;
  /** `cli:<user>` or an API key id. */
  actor: string;
}

export interface UnmergeService {
  unmerge(request: UnmergeRequest): Promise<SplitChangeV1>;
}

/**
 * Removes one wrong link: the profile splits into the components its evidence still supports, the
 * removed identifier gets a profile of its own and is quarantined so the next event carrying it
 * cannot re-merge. Postgres and Redis change together (Redis inside the Postgres transaction, so a
 * refused graph step rolls the durable copy back).
 *
 * The `SplitChangeV1` for profile-store and the `graph.unmerge` audit event are written to the
 * outbox in that same transaction, so they exist if and only if the split committed. Right after
 * the commit they are published (low latency); if that fails, the split stays committed and the
 * caller still gets it: the outbox relay owns delivery and retries until Kafka takes them.
 */
export function createUnmergeService(deps: {
  pool: pg.Pool;
  graph: GraphStore;
  rules: CompiledRules;
  /** Publishes committed outbox rows now; its background loop delivers what this misses. */
  outbox: Pick<OutboxRelay, 'relayOnce'>;
  logger: Logger;
  clock?: () => number;
}): UnmergeService {
  const clock = deps.clock ?? Date.now;
  return {
    async unmerge(request) {
      const now = clock();
      const at = new Date(now).toISOString();
      const change = await withTransaction(deps.pool, async (tx) => {
        const root = await currentProfileId(tx, request.profileId);
        if (root === undefined)
          throw new AppError('PROFILE_NOT_FOUND', 'profile not found', { statusCode: 404 });
        if (root !== request.profileId) {
          throw new AppError('CONFLICT', `profile was merged into ${root}; unmerge on that profile`, {
            statusCode: 409,
          });
        }
        // Serialize unmerges of one profile; concurrent resolution is caught by the graph script.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`identity-unmerge:${root}`]);
        const tree = await profileTree(tx, root);
        const members = await linkedIdentifiers(tx, tree);
        const target = members.find(
          (m) => m.hash === request.identifier.hash && m.type === request.identifier.type,
        );
        if (!target)
          throw new AppError('NOT_FOUND', 'identifier is not linked to this profile', { statusCode: 404 });
        if (members.length < 2) {
          throw new AppError('CONFLICT', 'the identifier is the only one on its profile; nothing to split', {
            statusCode: 409,
          });
        }
        const hashes = members.map((m) => m.hash);
        const { rows: edgeRows } = await tx.query<{ a_hash: string; b_hash: string }>(
          'SELECT a_hash, b_hash FROM edges WHERE a_hash = ANY($1::text[]) AND b_hash = ANY($1::text[])',
          [hashes],
        );
        const plan = computeSplit({
          members: members.map(({ type, hash }) => ({ type, hash })),
          edges: edgeRows.map((e) => [e.a_hash, e.b_hash]),
          removedHash: target.hash,
          priorityOf: (type) => deps.rules.ruleFor(type).priority,
        });
        const components = plan.components.map((identifiers, i) => ({
          profileId: i === 0 ? root : uuidv7(now),
          identifiers,
        }));
        const fresh = components.slice(1);
        await tx.query(
          `INSERT INTO profiles (profile_id, created_at, split_from) SELECT unnest($1::uuid[]), $2::timestamptz, $3::uuid`,
          [fresh.map((c) => c.profileId), at, root],
        );
        const moved = fresh.flatMap((c) => c.identifiers.map((id) => [id.hash, c.profileId] as const));
        await tx.query(
          `UPDATE links SET profile_id = m.profile_id FROM unnest($1::text[], $2::uuid[]) AS m(hash, profile_id) WHERE links.identifier_hash = m.hash`,
          [moved.map(([h]) => h), moved.map(([, p]) => p)],
        );
        await tx.query(
          `INSERT INTO quarantine (identifier_hash, identifier_type, reason, actor, at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (identifier_hash) DO NOTHING`,
          [target.hash, target.type, `unmerge: ${request.reason}`, request.actor, at],
        );
        const split: SplitChangeV1 = {
          schemaVersion: 1,
          kind: 'split',
          changeId: uuidv7(now),
          profileId: root,
          components,
          removedIdentifier: { type: target.type, hash: target.hash },
          reason: request.reason,
          actor: request.actor,
          at,
        };
        await tx.query(
          `INSERT INTO splits (change_id, profile_id, removed_type, removed_hash, components, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            split.changeId,
            root,
            target.type,
            target.hash,
            JSON.stringify(components),
            request.reason,
            request.actor,
            at,
          ],
        );
        await enqueueOutbox(tx, [
          { topic: 'identityChanges', payload: split },
          { topic: 'audit', payload: auditOf(split, now) },
        ]);
        // Last, so every refusal above (and a refused outbox row) leaves Redis untouched.
        await deps.graph.split({
          profileId: root,
          components: components.map((c, i) => ({
            newProfileId: i === 0 ? undefined : c.profileId,
            counts: countByType(c.identifiers),
            hashes: c.identifiers.map((id) => id.hash),
          })),
          quarantineHash: target.hash,
          nowMs: now,
        });
        return split;
      });
      deps.logger.info(
        { profileId: change.profileId, components: change.components.length, changeId: change.changeId },
        'profile unmerged',
      );
      try {
        await deps.outbox.relayOnce();
      } catch (err) {
        // Committed is committed: answering with an error would invite a retry that finds nothing
        // to split. The relay's loop (here, or in the running service after a CLI unmerge) sends it.
        deps.logger.warn(
          { err, profileId: change.profileId, changeId: change.changeId },
          'split committed but not yet published; the outbox relay will deliver it',
        );
      }
      return change;
    },
  };
}

/** The audit record of an unmerge (actor, reason, what was removed and where it went). */
function auditOf(change: SplitChangeV1, now: number): AuditEventV1 {
  return {
    schemaVersion: 1,
    auditId: uuidv7(now),
    service: 'identity',
    action: 'graph.unmerge',
    actor: change.actor,
    purpose: change.reason.slice(0, 200),
    subject: { profileId: change.profileId },
    details: {
      removedIdentifierType: change.removedIdentifier.type,
      removedIdentifierHash: change.removedIdentifier.hash,
      components: change.components.map((c) => c.profileId),
    },
    at: change.at,
  };
}

function countByType(ids: HashedIdentifier[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id.type] = (counts[id.type] ?? 0) + 1;
  return counts;
}
