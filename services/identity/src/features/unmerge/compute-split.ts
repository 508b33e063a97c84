import type { HashedIdentifier } from '@tessera/contracts';
import { UnionFind } from '../../graph/union-find';

export interface SplitPlan {
  /** The first component keeps the profile id; the removed identifier is always the last, alone. */
  components: HashedIdentifier[][];
}

/**
 * Recomputes a profile's components from co-occurrence evidence without the removed identifier.
 * The component holding the highest-priority identifier keeps the profile (ties: the larger one,
 * then the one with the oldest link; `members` come oldest first), so a user_id's profile keeps its
 * id when a stray link is cut.
 */
export function computeSplit(input: {
  members: HashedIdentifier[];
  edges: Array<[string, string]>;
  removedHash: string;
  priorityOf: (type: string) => number;
}): SplitPlan {
  const byHash = new Map(input.members.map((m) => [m.hash, m]));
  const removed = byHash.get(input.removedHash);
  if (!removed) throw new Error('removed identifier is not on the profile');
  const uf = new UnionFind();
  for (const m of input.members) if (m.hash !== input.removedHash) uf.add(m.hash);
  for (const [a, b] of input.edges) {
    if (a === input.removedHash || b === input.removedHash || !byHash.has(a) || !byHash.has(b)) continue;
    uf.union(a, b);
  }
  const position = new Map(input.members.map((m, i) => [m.hash, i]));
  const score = (c: HashedIdentifier[]) => Math.max(...c.map((m) => input.priorityOf(m.type)));
  const oldest = (c: HashedIdentifier[]) => Math.min(...c.map((m) => position.get(m.hash)!));
  const components = uf
    .components()
    .map((hashes) => hashes.map((h) => byHash.get(h)!))
    .sort((x, y) => score(y) - score(x) || y.length - x.length || oldest(x) - oldest(y));
  return { components: [...components, [removed]] };
}
