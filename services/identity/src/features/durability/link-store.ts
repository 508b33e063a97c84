import type { Queryable } from '@tessera/db';
import { asRetryableDbError } from '@tessera/db';
import type { ResolutionJournal, ResolutionRecord } from '../resolution/resolution-journal';

/**
 * Writes a batch's graph changes to the `identity` schema: one multi-row statement per table
 * (arrays unnested server-side), all idempotent, so a replayed batch writes nothing new.
 */
export function createLinkJournal(db: Queryable): ResolutionJournal {
  return {
    async record(r: ResolutionRecord) {
      try {
        await writeRecord(db, r);
      } catch (err) {
        throw asRetryableDbError(err);
      }
    },
  };
}

async function writeRecord(db: Queryable, r: ResolutionRecord): Promise<void> {
  // Creations and merges may arrive in any order across workers, so both upsert the same row.
  const profiles = new Map<
    string,
    { createdAt: string; event: string | null; mergedInto: string | null; mergedAt: string | null }
  >();
  for (const p of r.newProfiles)
    profiles.set(p.profileId, { createdAt: p.at, event: p.eventId, mergedInto: null, mergedAt: null });
  for (const m of r.merges) {
    const existing = profiles.get(m.absorbedId);
    profiles.set(m.absorbedId, {
      createdAt: existing?.createdAt ?? m.at,
      event: existing?.event ?? null,
      mergedInto: m.survivorId,
      mergedAt: m.at,
    });
  }
  const statements: Array<Promise<unknown>> = [];
  if (profiles.size > 0) {
    const rows = [...profiles.entries()];
    statements.push(
      db.query(
        `INSERT INTO profiles (profile_id, created_at, created_by_event, merged_into, merged_at)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::timestamptz[])
         ON CONFLICT (profile_id) DO UPDATE SET
           merged_into = COALESCE(EXCLUDED.merged_into, profiles.merged_into),
           merged_at = COALESCE(EXCLUDED.merged_at, profiles.merged_at),
           created_by_event = COALESCE(profiles.created_by_event, EXCLUDED.created_by_event)`,
        [
          rows.map(([id]) => id),
          rows.map(([, v]) => v.createdAt),
          rows.map(([, v]) => v.event),
          rows.map(([, v]) => v.mergedInto),
          rows.map(([, v]) => v.mergedAt),
        ],
      ),
    );
  }
  if (r.links.length > 0) {
    const links = dedupe(r.links, (l) => l.identifier.hash);
    statements.push(
      db.query(
        `INSERT INTO links (identifier_hash, identifier_type, profile_id, event_id, linked_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[], $5::timestamptz[])
         ON CONFLICT (identifier_hash) DO NOTHING`,
        [
          links.map((l) => l.identifier.hash),
          links.map((l) => l.identifier.type),
          links.map((l) => l.profileId),
          links.map((l) => l.eventId),
          links.map((l) => l.at),
        ],
      ),
    );
  }
  if (r.edges.length > 0) {
    const edges = dedupe(r.edges, (e) => `${e.a} ${e.b}`);
    statements.push(
      db.query(
        `INSERT INTO edges (a_hash, b_hash, event_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[])
         ON CONFLICT (a_hash, b_hash) DO NOTHING`,
        [edges.map((e) => e.a), edges.map((e) => e.b), edges.map((e) => e.eventId)],
      ),
    );
  }
  if (r.merges.length > 0) {
    const m = r.merges;
    statements.push(
      db.query(
        `INSERT INTO merges (change_id, survivor_id, absorbed_id, linking_type, linking_hash, rule, event_id, message_id, source_id, at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::text[], $10::timestamptz[])
         ON CONFLICT (change_id) DO NOTHING`,
        [
          m.map((x) => x.changeId),
          m.map((x) => x.survivorId),
          m.map((x) => x.absorbedId),
          m.map((x) => x.linkingIdentifier.type),
          m.map((x) => x.linkingIdentifier.hash),
          m.map((x) => x.rule),
          m.map((x) => x.event.eventId),
          m.map((x) => x.event.messageId),
          m.map((x) => x.event.sourceId),
          m.map((x) => x.at),
        ],
      ),
    );
  }
  if (r.decisions.length > 0) {
    const d = dedupe(r.decisions, (x) => `${x.eventId} ${x.identifier.hash} ${x.outcome}`);
    statements.push(
      db.query(
        `INSERT INTO decisions (event_id, identifier_hash, outcome, identifier_type, profile_id, rule, detail, message_id, source_id, at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
         ON CONFLICT (event_id, identifier_hash, outcome) DO NOTHING`,
        [
          d.map((x) => x.eventId),
          d.map((x) => x.identifier.hash),
          d.map((x) => x.outcome),
          d.map((x) => x.identifier.type),
          d.map((x) => x.profileId),
          d.map((x) => x.rule),
          d.map((x) => x.detail),
          d.map((x) => x.messageId),
          d.map((x) => x.sourceId),
          d.map((x) => x.at),
        ],
      ),
    );
  }
  if (r.quarantined.length > 0) statements.push(insertQuarantine(db, r.quarantined));
  // Independent idempotent upserts: run them concurrently on the pool (a replay repairs a partial write).
  await Promise.all(statements);
}

export function insertQuarantine(db: Queryable, rows: ResolutionRecord['quarantined']): Promise<unknown> {
  const q = dedupe(rows, (x) => x.identifier.hash);
  return db.query(
    `INSERT INTO quarantine (identifier_hash, identifier_type, reason, actor, at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
     ON CONFLICT (identifier_hash) DO NOTHING`,
    [
      q.map((x) => x.identifier.hash),
      q.map((x) => x.identifier.type),
      q.map((x) => x.reason),
      q.map((x) => x.actor),
      q.map((x) => x.at),
    ],
  );
}

function dedupe<T>(rows: T[], key: (row: T) => string): T[] {
  return [...new Map(rows.map((row) => [key(row), row])).values()];
}
