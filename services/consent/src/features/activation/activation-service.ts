import type pg from 'pg';
import { ActivationRecordV1Schema } from '@tessera/contracts';
import type { ConsentChangeV1, ProfileUpdateV1 } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import { withTransaction } from '@tessera/db';
import type { ConsentService } from '../ledger/consent-service';
import { enqueue } from '../outbox/outbox';
import type { OutboxMessage } from '../outbox/outbox';
import { permits, projectForDestination } from './activation-projector';
import type { Destination } from './destinations';

export interface ActivationServiceDeps {
  pool: pg.Pool;
  consent: Pick<ConsentService, 'stateOf'>;
  destinations: readonly Destination[];
  /** Physical topic of a destination's feed. */
  topicOf: (destination: string) => string;
  optOutPurposes: ReadonlySet<string>;
}

interface Member {
  destination: string;
  profileId: string;
  version: number;
  present: boolean;
}

export interface ActivationService {
  /** Projects profile updates (null = the profile's tombstone) onto every feed. */
  applyUpdates(
    updates: ReadonlyArray<{ profileId: string; update: ProfileUpdateV1 | null }>,
  ): Promise<number>;
  /** Within the consent transaction: removes profiles from feeds whose purposes are no longer permitted. */
  onConsentChanges(client: Queryable, changes: readonly ConsentChangeV1[]): Promise<number>;
}

export function createActivationService(deps: ActivationServiceDeps): ActivationService {
  return {
    async applyUpdates(updates) {
      if (updates.length === 0 || deps.destinations.length === 0) return 0;
      // Keep the newest update per profile of the batch (the topic is compacted; order is per key).
      const latest = new Map<string, ProfileUpdateV1 | null>();
      for (const u of updates) {
        const previous = latest.get(u.profileId);
        if (
          u.update === null ||
          previous === undefined ||
          previous === null ||
          u.update.version >= previous.version
        ) {
          latest.set(u.profileId, u.update);
        }
      }
      const profileIds = [...latest.keys()];
      return withTransaction(deps.pool, async (client) => {
        const consent = await deps.consent.stateOf(client, profileIds);
        const { rows } = await client.query<{
          destination: string;
          profile_id: string;
          version: string;
          present: boolean;
        }>(
          'SELECT destination, profile_id, version, present FROM activation_members WHERE profile_id = ANY($1::uuid[]) FOR UPDATE',
          [profileIds],
        );
        const members = new Map<string, Member>(
          rows.map((r) => [
            `${r.destination}/${r.profile_id}`,
            {
              destination: r.destination,
              profileId: r.profile_id,
              version: Number(r.version),
              present: r.present,
            },
          ]),
        );
        const out: OutboxMessage[] = [];
        const writes: Member[] = [];
        for (const [profileId, update] of latest) {
          for (const destination of deps.destinations) {
            const member = members.get(`${destination.name}/${profileId}`);
            if (update !== null && member && member.version > update.version) continue; // stale
            const projection =
              update === null
                ? ({ action: 'remove' } as const)
                : projectForDestination(
                    destination,
                    update,
                    consent.get(profileId) ?? {},
                    deps.optOutPurposes,
                  );
            const version = update?.version ?? member?.version ?? 0;
            if (projection.action === 'upsert') {
              // Feeds are published raw (not catalogue topics): validate here so nothing leaves without its schema.
              out.push({
                topic: deps.topicOf(destination.name),
                key: profileId,
                payload: ActivationRecordV1Schema.parse(projection.record),
              });
              writes.push({ destination: destination.name, profileId, version, present: true });
            } else {
              // Tombstone only what the feed holds; always remember the version so a stale update cannot re-add.
              if (member?.present)
                out.push({ topic: deps.topicOf(destination.name), key: profileId, payload: null });
              if (member?.present || update !== null)
                writes.push({ destination: destination.name, profileId, version, present: false });
            }
          }
        }
        if (writes.length > 0) {
          await client.query(
            `INSERT INTO activation_members (destination, profile_id, version, present)
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::boolean[])
             ON CONFLICT (destination, profile_id) DO UPDATE SET version = EXCLUDED.version, present = EXCLUDED.present, updated_at = now()`,
            [
              writes.map((w) => w.destination),
              writes.map((w) => w.profileId),
              writes.map((w) => w.version),
              writes.map((w) => w.present),
            ],
          );
        }
        await enqueue(client, out);
        return out.length;
      });
    },

    async onConsentChanges(client, changes) {
      const removals: Array<{ destination: string; profileId: string }> = [];
      for (const change of changes) {
        const profileId = change.subject.profileId;
        if (profileId === undefined || permits(change.status, change.purpose, deps.optOutPurposes)) continue;
        for (const d of deps.destinations)
          if (d.requiredPurposes.includes(change.purpose)) removals.push({ destination: d.name, profileId });
      }
      if (removals.length === 0) return 0;
      const { rows } = await client.query<{ destination: string; profile_id: string }>(
        `UPDATE activation_members m SET present = false, updated_at = now()
           FROM unnest($1::text[], $2::uuid[]) AS r(destination, profile_id)
          WHERE m.destination = r.destination AND m.profile_id = r.profile_id AND m.present
          RETURNING m.destination, m.profile_id`,
        [removals.map((r) => r.destination), removals.map((r) => r.profileId)],
      );
      await enqueue(
        client,
        rows.map((r) => ({ topic: deps.topicOf(r.destination), key: r.profile_id, payload: null })),
      );
      return rows.length;
    },
  };
}
