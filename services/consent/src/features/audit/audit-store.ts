import type pg from 'pg';
import type { AuditEventV1 } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import { withTransaction } from '@tessera/db';
import { GENESIS_HASH, chainHash, createChainVerifier, signCheckpoint } from './audit-chain';
import type { ChainAnchor, ChainBreak } from './audit-chain';

/** One writer at a time: the chain must be linear (each row's prev_hash is the row before it). */
const CHAIN_LOCK = "hashtext('tessera.consent.audit_chain')";

export interface AuditVerification {
  ok: boolean;
  verified: number;
  anchor: ChainAnchor;
  firstBreak?: ChainBreak | { seq: number; kind: 'checkpoint_signature_invalid' };
}

export interface AuditStore {
  /** Appends entries not yet in the log (by auditId), in order, inside `client`'s transaction. */
  appendIn(client: Queryable, entries: readonly AuditEventV1[]): Promise<number>;
  append(entries: readonly AuditEventV1[]): Promise<number>;
  verify(opts?: { pageSize?: number }): Promise<AuditVerification>;
  /** Purges the prefix of entries appended before `cutoff`, leaving a signed checkpoint. */
  purgeBefore(cutoff: Date): Promise<{ purged: number; throughSeq: number | null }>;
  /** Entries whose subject is the profile (for access requests). */
  entriesAbout(
    profileIds: readonly string[],
  ): Promise<Array<{ seq: number; entry: AuditEventV1; appendedAt: string }>>;
}

async function anchorOf(db: Queryable): Promise<ChainAnchor & { signature?: string; purgedAt?: Date }> {
  const { rows } = await db.query<{ through_seq: string; hash: string; signature: string; purged_at: Date }>(
    'SELECT through_seq, hash, signature, purged_at FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1',
  );
  const row = rows[0];
  if (!row) return { throughSeq: 0, hash: GENESIS_HASH };
  return {
    throughSeq: Number(row.through_seq),
    hash: row.hash,
    signature: row.signature,
    purgedAt: row.purged_at,
  };
}

export function createAuditStore(deps: { pool: pg.Pool; signingKey: Buffer }): AuditStore {
  const store: AuditStore = {
    async appendIn(client, entries) {
      if (entries.length === 0) return 0;
      await client.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
      const ids = entries.map((e) => e.auditId);
      const { rows: present } = await client.query<{ audit_id: string }>(
        'SELECT audit_id FROM audit_log WHERE audit_id = ANY($1::uuid[])',
        [ids],
      );
      const seen = new Set(present.map((r) => r.audit_id));
      const { rows: last } = await client.query<{ seq: string; hash: string }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      );
      let seq: number;
      let prev: string;
      if (last[0]) {
        seq = Number(last[0].seq);
        prev = last[0].hash;
      } else {
        const anchor = await anchorOf(client);
        seq = anchor.throughSeq;
        prev = anchor.hash;
      }
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (const entry of entries) {
        if (seen.has(entry.auditId)) continue;
        seen.add(entry.auditId);
        seq += 1;
        const hash = chainHash(prev, entry);
        const n = values.length;
        tuples.push(`($${n + 1}, $${n + 2}, $${n + 3}::jsonb, $${n + 4}, $${n + 5})`);
        values.push(seq, entry.auditId, JSON.stringify(entry), prev, hash);
        prev = hash;
      }
      if (tuples.length === 0) return 0;
      await client.query(
        `INSERT INTO audit_log (seq, audit_id, entry, prev_hash, hash) VALUES ${tuples.join(', ')}`,
        values,
      );
      return tuples.length;
    },

    append(entries) {
      return withTransaction(deps.pool, (client) => store.appendIn(client, entries));
    },

    async verify(opts = {}) {
      const pageSize = opts.pageSize ?? 1000;
      const anchor = await anchorOf(deps.pool);
      if (anchor.signature !== undefined && anchor.purgedAt !== undefined) {
        const expected = signCheckpoint(
          deps.signingKey,
          anchor.throughSeq,
          anchor.hash,
          anchor.purgedAt.toISOString(),
        );
        if (expected !== anchor.signature) {
          return {
            ok: false,
            verified: 0,
            anchor: { throughSeq: anchor.throughSeq, hash: anchor.hash },
            firstBreak: { seq: anchor.throughSeq, kind: 'checkpoint_signature_invalid' },
          };
        }
      }
      const verifier = createChainVerifier(anchor);
      let after = anchor.throughSeq;
      for (;;) {
        const { rows } = await deps.pool.query<{
          seq: string;
          entry: unknown;
          prev_hash: string;
          hash: string;
        }>('SELECT seq, entry, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
          after,
          pageSize,
        ]);
        for (const row of rows) {
          const broken = verifier.next({
            seq: Number(row.seq),
            entry: row.entry,
            prevHash: row.prev_hash,
            hash: row.hash,
          });
          if (broken) {
            return {
              ok: false,
              verified: verifier.verified,
              anchor: { throughSeq: anchor.throughSeq, hash: anchor.hash },
              firstBreak: broken,
            };
          }
        }
        if (rows.length < pageSize) break;
        after = Number(rows[rows.length - 1]!.seq);
      }
      return {
        ok: true,
        verified: verifier.verified,
        anchor: { throughSeq: anchor.throughSeq, hash: anchor.hash },
      };
    },

    purgeBefore(cutoff) {
      return withTransaction(deps.pool, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
        // Purge only a prefix: everything up to the last row older than the cutoff whose predecessors
        // are all older too, so the remaining rows stay one unbroken chain from the checkpoint.
        const { rows } = await client.query<{ seq: string; hash: string }>(
          `SELECT seq, hash FROM audit_log
            WHERE seq < COALESCE((SELECT min(seq) FROM audit_log WHERE appended_at >= $1), 9223372036854775807)
            ORDER BY seq DESC LIMIT 1`,
          [cutoff],
        );
        const last = rows[0];
        if (!last) return { purged: 0, throughSeq: null };
        const throughSeq = Number(last.seq);
        const { rows: removed } = await client.query<{ n: string }>('SELECT purge_audit_prefix($1) AS n', [
          throughSeq,
        ]);
        const purgedAt = new Date();
        purgedAt.setUTCMilliseconds(0);
        const purged = Number(removed[0]!.n);
        await client.query(
          `INSERT INTO audit_checkpoints (through_seq, hash, purged_rows, purged_at, signature) VALUES ($1, $2, $3, $4, $5)`,
          [
            throughSeq,
            last.hash,
            purged,
            purgedAt,
            signCheckpoint(deps.signingKey, throughSeq, last.hash, purgedAt.toISOString()),
          ],
        );
        return { purged, throughSeq };
      });
    },

    async entriesAbout(profileIds) {
      const { rows } = await deps.pool.query<{ seq: string; entry: AuditEventV1; appended_at: Date }>(
        `SELECT seq, entry, appended_at FROM audit_log WHERE entry -> 'subject' ->> 'profileId' = ANY($1::text[]) ORDER BY seq`,
        [profileIds],
      );
      return rows.map((r) => ({
        seq: Number(r.seq),
        entry: r.entry,
        appendedAt: r.appended_at.toISOString(),
      }));
    },
  };
  return store;
}

/** An audit entry for this service's own actions. */
export function ownAuditEvent(
  input: Pick<AuditEventV1, 'action' | 'actor' | 'details'> & {
    profileId?: string;
    requestId?: string;
    purpose?: string;
  },
  auditId: string,
  at: Date,
): AuditEventV1 {
  return {
    schemaVersion: 1,
    auditId,
    service: 'consent',
    action: input.action,
    actor: input.actor,
    ...(input.purpose !== undefined ? { purpose: input.purpose } : {}),
    subject: {
      ...(input.profileId !== undefined ? { profileId: input.profileId } : {}),
      ...(input.requestId !== undefined ? { requestId: input.requestId } : {}),
    },
    details: input.details,
    at: at.toISOString(),
  };
}
