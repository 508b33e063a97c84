import type { HashedIdentifier } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';

/** Follows merge forwarding from `profileId` to the profile that currently holds it (or undefined if unknown). */
export async function currentProfileId(db: Queryable, profileId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ profile_id: string; merged_into: string | null }>(
    `WITH RECURSIVE chain(profile_id, merged_into, depth) AS (
       SELECT profile_id, merged_into, 0 FROM profiles WHERE profile_id = $1::uuid
       UNION ALL
       SELECT p.profile_id, p.merged_into, c.depth + 1 FROM profiles p JOIN chain c ON p.profile_id = c.merged_into
       WHERE c.depth < 1000
     )
     SELECT profile_id::text, merged_into::text FROM chain ORDER BY depth DESC LIMIT 1`,
    [profileId],
  );
  return rows[0]?.profile_id;
}

/** The profile and every profile merged into it, directly or transitively. */
export async function profileTree(db: Queryable, rootId: string): Promise<string[]> {
  const { rows } = await db.query<{ profile_id: string }>(
    `WITH RECURSIVE tree(profile_id, depth) AS (
       SELECT $1::uuid, 0
       UNION
       SELECT p.profile_id, t.depth + 1 FROM profiles p JOIN tree t ON p.merged_into = t.profile_id WHERE t.depth < 1000
     )
     SELECT DISTINCT profile_id::text FROM tree`,
    [rootId],
  );
  return rows.map((r) => r.profile_id);
}

/** The identifiers linked to any of the given profiles, oldest link first. */
export async function linkedIdentifiers(
  db: Queryable,
  profileIds: string[],
): Promise<Array<HashedIdentifier & { profileId: string }>> {
  const { rows } = await db.query<{ identifier_type: string; identifier_hash: string; profile_id: string }>(
    'SELECT identifier_type, identifier_hash, profile_id::text FROM links WHERE profile_id = ANY($1::uuid[]) ORDER BY linked_at, identifier_hash',
    [profileIds],
  );
  return rows.map((r) => ({ type: r.identifier_type, hash: r.identifier_hash, profileId: r.profile_id }));
}
