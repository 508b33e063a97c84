import { fingerprint } from '../../graph/graph-keys';
import type { CompiledRules } from '../../rules/identity-rules';

/** One co-occurrence edge with the types of both ends (from `edges` joined to `links`). */
export interface TypedEdge {
  a: string;
  aType: string;
  b: string;
  bType: string;
}

/**
 * Rebuilds the quarantine fan-in sets the resolve script keeps in Redis (the 4-byte fingerprints of
 * the distinct strong identifiers each value was seen with) from the durable co-occurrence edges,
 * so a rebuild does not reset how close a shared value is to quarantine.
 *
 * Edges are two overlapping stars per event from its two highest-priority linked identifiers.
 * With rules where the strong types outrank the values they guard (the defaults: user_id and email
 * over phone, devices and the rest), every strong neighbour of a value is a star centre, so the
 * sets come back whole; a third strong identifier in one event (two emails beside a user id) is
 * not an edge of the others, so the restored set can only be smaller than the lost one, never
 * larger. Already quarantined values are skipped (their marker replaces the set).
 */
export async function restoreFanIn(
  edges: AsyncIterable<TypedEdge> | Iterable<TypedEdge>,
  rules: Pick<CompiledRules, 'countsTowardsFanIn'>,
  quarantined: ReadonlySet<string>,
): Promise<Map<string, string>> {
  // Per value its fingerprints as one latin1 string (4 chars each), the bytes the script stores: a
  // Set (or a Buffer) per identifier costs several times the memory on a graph of millions.
  const sets = new Map<string, string>();
  const note = (value: string, type: string, neighbour: string, neighbourType: string) => {
    if (quarantined.has(value)) return;
    if (!rules.countsTowardsFanIn(type, neighbourType)) return;
    const fp = fingerprint(neighbour).toString('latin1');
    const set = sets.get(value) ?? '';
    if (!hasFingerprint(set, fp)) sets.set(value, set + fp);
  };
  for await (const e of edges) {
    note(e.a, e.aType, e.b, e.bType);
    note(e.b, e.bType, e.a, e.aType);
  }
  for (const [value, set] of sets) sets.set(value, sortedFingerprints(set));
  return sets;
}

function hasFingerprint(set: string, fp: string): boolean {
  for (let i = 0; i < set.length; i += 4) if (set.startsWith(fp, i)) return true;
  return false;
}

/** Sorted, so the stored bytes do not depend on the order the edges were read in. */
function sortedFingerprints(set: string): string {
  const parts: string[] = [];
  for (let i = 0; i < set.length; i += 4) parts.push(set.slice(i, i + 4));
  return parts.sort().join('');
}
