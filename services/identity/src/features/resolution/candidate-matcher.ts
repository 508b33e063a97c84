import type { CanonicalEventV1, HashedIdentifier } from '@tessera/contracts';

/**
 * A probable match for an event whose own identifiers are all unknown: "this record looks like the
 * profile holding `identifier`". Probabilistic matching (name + address + birth date …) plugs in here.
 */
export interface CandidateMatch {
  /** Any identifier already on the candidate profile; the graph resolves it to the profile. */
  identifier: HashedIdentifier;
  /** 0..1; matches below the rules' `candidateMinScore` are ignored. */
  score: number;
  /** Short machine-readable reason (`name+address+dob`), recorded as rule `candidate:<reason>`. */
  reason: string;
}

/**
 * The pipeline asks the matcher once per batch, before resolving. A candidate only links an event
 * whose own identifiers were all unknown to the graph (the graph checks that atomically), and merge
 * protection limits apply to it like to any other link.
 */
export interface CandidateMatcher {
  readonly name: string;
  findCandidates(events: readonly CanonicalEventV1[]): Promise<ReadonlyMap<string, CandidateMatch[]>>;
}

/** The default: deterministic matching only. */
export const noCandidateMatcher: CandidateMatcher = {
  name: 'none',
  findCandidates: async () => new Map(),
};
