import type { JsonObject } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import type { ProfileRow } from '../profiles/profile-repository';

/**
 * Saves what ingestion changed on the locked profiles in one statement: version, the computed
 * keys that changed (merged into the stored object with `||`; the row is locked, so the stored
 * object is the one the caller started from and the result equals its new `computed`), and the
 * golden-record columns only for profiles whose golden values changed (the caller knows which
 * from survivorship, so nothing is serialised twice to find out). Consent, merge pointers and
 * everything else ingestion never touches are left alone, and the rows' indexed columns (`traits`
 * for most events, `merged_into`) stay unchanged, so with the table's fillfactor the update is
 * HOT: no index entries, far less WAL.
 */
export async function saveIngestedProfiles(
  db: Queryable,
  profiles: ProfileRow[],
  goldenChanged: Set<string>,
  computedChanged: Map<string, string[]>,
): Promise<void> {
  if (profiles.length === 0) return;
  const rows = profiles.map((p) => {
    const computed: JsonObject = {};
    for (const key of computedChanged.get(p.id) ?? []) computed[key] = p.computed[key] ?? null;
    return goldenChanged.has(p.id)
      ? {
          id: p.id,
          version: p.version,
          computed,
          traits: p.traits,
          piiTraits: p.piiTraits,
          traitWinners: p.traitWinners,
        }
      : { id: p.id, version: p.version, computed };
  });
  await db.query(
    `UPDATE profiles p SET
        computed = p.computed || u.computed, version = u.version, updated_at = now(),
        traits = COALESCE(u.traits, p.traits), pii_traits = COALESCE(u."piiTraits", p.pii_traits),
        trait_winners = COALESCE(u."traitWinners", p.trait_winners)
       FROM jsonb_to_recordset($1::jsonb)
         AS u(id uuid, version bigint, computed jsonb, traits jsonb, "piiTraits" jsonb, "traitWinners" jsonb)
      WHERE p.id = u.id`,
    [JSON.stringify(rows)],
  );
}
