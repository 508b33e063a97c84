import type { JsonObject } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import type pg from 'pg';
import { changedKeys } from './computed-traits';
import { insertOutboxRows } from '@tessera/outbox';
import { profileUpdate, type OutboxEntry } from '../outbox/outbox-writer';
import type { PiiVault } from '../profiles/pii-vault';
import { lockProfiles, saveProfiles } from '../profiles/profile-repository';

/**
 * Merges job-computed fields (RFM, CLV) into profiles' computed traits, in chunks, each chunk one
 * transaction with its change-feed messages. Profiles whose values did not change are not touched.
 */
export async function patchComputed(
  deps: { pool: pg.Pool; vault: PiiVault },
  patches: Map<string, JsonObject>,
  chunkSize = 500,
): Promise<number> {
  const ids = [...patches.keys()];
  let updated = 0;
  for (let i = 0; i < ids.length; i += chunkSize) {
    const chunk = ids.slice(i, i + chunkSize);
    updated += await withTransaction(deps.pool, async (client) => {
      const profiles = await lockProfiles(client, chunk);
      const touched = [];
      const outbox: OutboxEntry[] = [];
      for (const p of profiles.values()) {
        if (p.mergedInto !== null) continue;
        const next = { ...p.computed, ...patches.get(p.id)! };
        const changed = changedKeys(p.computed, next);
        if (changed.length === 0) continue;
        p.computed = next;
        p.version += 1;
        touched.push(p);
        outbox.push(
          await profileUpdate(
            deps.vault,
            p,
            'upsert',
            changed.map((k) => `computed.${k}`),
          ),
        );
      }
      await saveProfiles(client, touched);
      await insertOutboxRows(client, outbox);
      return touched.length;
    });
  }
  return updated;
}
