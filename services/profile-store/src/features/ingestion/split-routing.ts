import type { ResolvedEventV1, SplitChangeV1 } from '@tessera/contracts';
import { uuidArray, type Queryable } from '@tessera/db';

/** An applied split as the ingestion path needs it. */
export interface AppliedSplit {
  /** The id the split named (the profile that kept its first component). */
  profileId: string;
  at: number;
  /** Components that left the profile, in the split's order, with their identifier keys (`type:hash`). */
  targets: Array<{ profileId: string; keys: Set<string> }>;
}

/** Applied splits of any of the given profile ids, oldest first. One indexed query. */
export async function splitsOf(db: Queryable, profileIds: string[]): Promise<AppliedSplit[]> {
  if (profileIds.length === 0) return [];
  const { rows } = await db.query<{ details: SplitChangeV1 }>(
    `SELECT details FROM identity_changes WHERE kind = 'split' AND profile_id = ANY($1::uuid[])
      ORDER BY details->>'at', change_id`,
    [uuidArray(profileIds)],
  );
  return rows.map(({ details }) => ({
    profileId: details.profileId,
    at: Date.parse(details.at),
    targets: details.components
      .filter((c) => c.profileId !== details.profileId)
      .map((c) => ({
        profileId: c.profileId,
        keys: new Set(c.identifiers.map((i) => `${i.type}:${i.hash}`)),
      })),
  }));
}

/**
 * Where an event resolved before a split of its profile belongs. Identity stamped it with the
 * profile as it was, so it follows the split's own rule — the first split-off component that owns
 * one of its identifiers — exactly as if it had been stored before the split and moved by it.
 * Events resolved after a split (identity already saw the new graph) keep their profile.
 *
 * One hop: the earliest split of `root` later than both the event's resolution and `after` (the
 * split that moved it last, if any) that claims it. The caller resolves the target's root and asks
 * again, so a component split again later is followed too.
 */
export function splitTarget(
  message: ResolvedEventV1,
  root: string,
  after: number,
  splits: AppliedSplit[],
  rootOf: (id: string) => string,
): { profileId: string; at: number } | undefined {
  const resolvedAt = Date.parse(message.resolvedAt);
  const keys = message.identifierHashes.map((h) => `${h.type}:${h.hash}`);
  for (const split of splits) {
    if (split.at < resolvedAt || split.at <= after || rootOf(split.profileId) !== root) continue;
    const target = split.targets.find((t) => keys.some((k) => t.keys.has(k)));
    if (target) return { profileId: target.profileId, at: split.at };
  }
  return undefined;
}
