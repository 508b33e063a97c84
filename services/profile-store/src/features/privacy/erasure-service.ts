import type { PrivacyCommandV1, PrivacyStatusV1, ProfileUpdateV1 } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import type pg from 'pg';
import { insertOutboxRows } from '@tessera/outbox';
import type { OutboxEntry } from '../outbox/outbox-writer';

export const SERVICE_NAME = 'profile-store';

export interface ErasureResult {
  profiles: number;
  events: number;
  identities: number;
  observations: number;
  residue: number;
  repeated: boolean;
}

/**
 * Erases a data subject: every profile named or owning one of the identifiers, and every profile
 * merged into those, with their events, event keys, identities, observations, identity changes
 * and unpublished outbox rows. The change feed gets a `deleted` notice and a tombstone per
 * profile, the privacy status topic the outcome with the residue (rows still referencing the
 * subject afterwards: 0 unless something is wrong). Repeating a request re-reports, idempotently.
 */
export async function eraseSubject(pool: pg.Pool, command: PrivacyCommandV1): Promise<ErasureResult> {
  return withTransaction(pool, async (client) => {
    const { rows: done } = await client.query<{ residue: Omit<ErasureResult, 'repeated'> }>(
      'SELECT residue FROM privacy_requests WHERE request_id = $1',
      [command.requestId],
    );
    if (done[0]) {
      const previous = { ...done[0].residue, repeated: true };
      await insertOutboxRows(client, [statusEntry(command, previous)]);
      return previous;
    }
    const { rows: owned } = await client.query<{ profile_id: string }>(
      'SELECT profile_id FROM identities JOIN unnest($1::text[], $2::text[]) AS k(type, hash) USING (type, hash)',
      [command.identifiers.map((i) => i.type), command.identifiers.map((i) => i.hash)],
    );
    const seed = [...new Set([...command.profileIds, ...owned.map((r) => r.profile_id)])];
    // The subject is the whole merge family: roots of the seeds and everything pointing at them.
    const { rows: family } = await client.query<{ id: string; version: string }>(
      `WITH RECURSIVE up(id) AS (
         SELECT unnest($1::uuid[])
         UNION SELECT p.merged_into FROM profiles p JOIN up ON p.id = up.id WHERE p.merged_into IS NOT NULL),
       down(id) AS (
         SELECT id FROM up
         UNION SELECT p.id FROM profiles p JOIN down ON p.merged_into = down.id)
       SELECT p.id, p.version FROM profiles p JOIN down USING (id) ORDER BY p.id FOR UPDATE OF p`,
      [seed],
    );
    const ids = family.map((f) => f.id);
    await client.query(
      `DELETE FROM event_keys k USING events e
        WHERE e.profile_id = ANY($1::uuid[]) AND k.source_id = e.source_id AND k.message_id = e.message_id`,
      [ids],
    );
    const events = await client.query('DELETE FROM events WHERE profile_id = ANY($1::uuid[])', [ids]);
    const identities = await client.query('DELETE FROM identities WHERE profile_id = ANY($1::uuid[])', [ids]);
    const observations = await client.query(
      'DELETE FROM trait_observations WHERE profile_id = ANY($1::uuid[])',
      [ids],
    );
    await client.query(
      'DELETE FROM identity_changes WHERE profile_id = ANY($1::uuid[]) OR other_ids && $1::uuid[]',
      [ids],
    );
    await client.query(`DELETE FROM outbox WHERE topic = 'profileUpdates' AND key = ANY($1::text[])`, [ids]);
    await client.query('DELETE FROM profiles WHERE id = ANY($1::uuid[])', [ids]);
    const { rows: left } = await client.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM profiles WHERE id = ANY($1::uuid[]))
            + (SELECT count(*) FROM events WHERE profile_id = ANY($1::uuid[]))
            + (SELECT count(*) FROM identities WHERE profile_id = ANY($1::uuid[]))
            + (SELECT count(*) FROM trait_observations WHERE profile_id = ANY($1::uuid[])) AS n`,
      [ids],
    );
    const result: ErasureResult = {
      profiles: ids.length,
      events: events.rowCount ?? 0,
      identities: identities.rowCount ?? 0,
      observations: observations.rowCount ?? 0,
      residue: Number(left[0]!.n),
      repeated: false,
    };
    const now = new Date().toISOString();
    const outbox: OutboxEntry[] = [];
    for (const f of family) {
      const notice: ProfileUpdateV1 = {
        schemaVersion: 1,
        profileId: f.id,
        version: Number(f.version) + 1,
        kind: 'deleted',
        traits: {},
        computed: {},
        changed: [],
        consent: {},
        updatedAt: now,
      };
      outbox.push(
        { topic: 'profileUpdates', key: f.id, payload: notice },
        { topic: 'profileUpdates', key: f.id, payload: null },
      );
    }
    outbox.push(statusEntry(command, result));
    await insertOutboxRows(client, outbox);
    const { repeated: _r, ...stored } = result;
    await client.query(
      'INSERT INTO privacy_requests (request_id, kind, profile_ids, residue) VALUES ($1, $2, $3::uuid[], $4)',
      [command.requestId, command.kind, ids, JSON.stringify(stored)],
    );
    return result;
  });
}

function statusEntry(
  command: PrivacyCommandV1,
  r: Omit<ErasureResult, 'repeated'> & { repeated: boolean },
): OutboxEntry<'privacyStatus'> {
  const status: PrivacyStatusV1 = {
    schemaVersion: 1,
    requestId: command.requestId,
    service: SERVICE_NAME,
    status: r.residue === 0 ? 'done' : 'failed',
    details: {
      profiles: r.profiles,
      events: r.events,
      identities: r.identities,
      observations: r.observations,
      residue: r.residue,
      repeated: r.repeated,
    },
    at: new Date().toISOString(),
  };
  return { topic: 'privacyStatus', key: command.requestId, payload: status };
}
