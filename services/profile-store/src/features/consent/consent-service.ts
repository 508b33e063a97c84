import type { ConsentChangeV1 } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import type pg from 'pg';
import { insertOutboxRows } from '@tessera/outbox';
import { profileUpdate, type OutboxEntry } from '../outbox/outbox-writer';
import type { PiiVault } from '../profiles/pii-vault';
import { lockRoots, saveProfiles } from '../profiles/profile-repository';

/**
 * Carries the consent service's derived state onto profiles so the change feed tells downstream
 * tools what they may do. Changes for an identifier the store has never seen are skipped (the
 * consent service addresses known subjects by profile id; nothing here would hold the state).
 */
export async function applyConsentChanges(
  deps: { pool: pg.Pool; vault: PiiVault },
  changes: ConsentChangeV1[],
): Promise<{ applied: number; unknownSubject: number }> {
  if (changes.length === 0) return { applied: 0, unknownSubject: 0 };
  return withTransaction(deps.pool, async (client) => {
    const byIdentifier = changes
      .filter((c) => c.subject.profileId === undefined)
      .map((c) => c.subject.identifier!);
    const owners = new Map<string, string>();
    if (byIdentifier.length > 0) {
      const { rows } = await client.query<{ type: string; hash: string; profile_id: string }>(
        'SELECT type, hash, profile_id FROM identities JOIN unnest($1::text[], $2::text[]) AS k(type, hash) USING (type, hash)',
        [byIdentifier.map((i) => i.type), byIdentifier.map((i) => i.hash)],
      );
      for (const r of rows) owners.set(`${r.type}:${r.hash}`, r.profile_id);
    }
    const subjectOf = (c: ConsentChangeV1) =>
      c.subject.profileId ?? owners.get(`${c.subject.identifier!.type}:${c.subject.identifier!.hash}`);
    const direct = changes.map(subjectOf).filter((id): id is string => id !== undefined);
    const { roots, profiles } = await lockRoots(client, [...new Set(direct)]);
    const changed = new Map<string, Set<string>>();
    let unknownSubject = 0;
    for (const c of changes) {
      const id = subjectOf(c);
      if (id === undefined) {
        unknownSubject += 1;
        continue;
      }
      const profile = profiles.get(roots.get(id)!)!;
      if (profile.consent[c.purpose] === c.status) continue;
      profile.consent = { ...profile.consent, [c.purpose]: c.status };
      changed.set(profile.id, (changed.get(profile.id) ?? new Set()).add(`consent.${c.purpose}`));
    }
    const list = [...changed.keys()].map((id) => profiles.get(id)!);
    const outbox: OutboxEntry[] = [];
    for (const p of list) {
      p.version += 1;
      outbox.push(await profileUpdate(deps.vault, p, 'upsert', [...changed.get(p.id)!].sort()));
    }
    await saveProfiles(client, list);
    await insertOutboxRows(client, outbox);
    return { applied: list.length, unknownSubject };
  });
}
