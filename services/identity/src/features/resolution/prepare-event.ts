import type { CanonicalEventV1, HashedIdentifier, ResolutionDecision } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import { fingerprint } from '../../graph/graph-keys';
import type { GraphEventInput, GraphIdentifierInput } from '../../graph/graph-store';
import type { CompiledRules } from '../../rules/identity-rules';
import type { CandidateMatch } from './candidate-matcher';

/** An event made ready for the graph: hashed, screened by the blocklists, sorted by priority. */
export interface PreparedEvent {
  event: CanonicalEventV1;
  /** Hashes in the order of `event.identifiers` (the resolved event carries them). */
  identifierHashes: HashedIdentifier[];
  graphInput: GraphEventInput;
  /** The identifier each graph input position stands for. */
  graphIdentifiers: HashedIdentifier[];
  /** Decisions taken before the graph (blocklist). */
  decisions: ResolutionDecision[];
}

export function prepareEvent(input: {
  event: CanonicalEventV1;
  rules: CompiledRules;
  hasher: IdentifierHasher;
  candidates: readonly CandidateMatch[];
  candidateProfileId: string;
}): PreparedEvent {
  const { event, rules, hasher } = input;
  const identifierHashes = event.identifiers.map((id) => ({
    type: id.type,
    hash: hasher(id.type, id.matchKey ?? id.value),
  }));
  const decisions: ResolutionDecision[] = [];
  const seen = new Set<string>();
  const linkable: Array<{ id: HashedIdentifier; priority: number; position: number }> = [];
  event.identifiers.forEach((id, position) => {
    const hashed = identifierHashes[position]!;
    if (seen.has(hashed.hash)) return;
    seen.add(hashed.hash);
    const blockedBy =
      rules.blocklistedBy(id.type, id.value) ??
      (id.matchKey === undefined ? undefined : rules.blocklistedBy(id.type, id.matchKey));
    if (blockedBy !== undefined) {
      decisions.push({
        identifier: hashed,
        outcome: 'refused_blocklist',
        rule: blockedBy,
        detail: 'junk or placeholder value',
      });
      return;
    }
    linkable.push({ id: hashed, priority: rules.ruleFor(id.type).priority, position });
  });
  // Highest priority first; equal priorities keep the event's order so the result is deterministic.
  linkable.sort((a, b) => b.priority - a.priority || a.position - b.position);

  const graphIdentifiers: HashedIdentifier[] = [];
  const identifiers: GraphIdentifierInput[] = linkable.map(({ id }) => {
    const quarantine = rules.ruleFor(id.type).quarantine;
    let fingerprints = Buffer.alloc(0);
    if (quarantine !== undefined) {
      const strong = linkable.filter(
        (o) => o.id.hash !== id.hash && rules.countsTowardsFanIn(id.type, o.id.type),
      );
      fingerprints = Buffer.concat(strong.map((o) => fingerprint(o.id.hash)));
    }
    graphIdentifiers.push(id);
    return {
      type: id.type,
      hash: id.hash,
      quarantineMax: quarantine?.maxDistinct ?? 0,
      fingerprints,
      linkRule: '',
    };
  });
  for (const candidate of input.candidates) {
    if (candidate.score < rules.rules.candidateMinScore || seen.has(candidate.identifier.hash)) continue;
    seen.add(candidate.identifier.hash);
    graphIdentifiers.push(candidate.identifier);
    identifiers.push({
      type: candidate.identifier.type,
      hash: candidate.identifier.hash,
      quarantineMax: 0,
      fingerprints: Buffer.alloc(0),
      linkRule: `candidate:${candidate.reason}`,
    });
  }
  return {
    event,
    identifierHashes,
    graphInput: { eventId: event.eventId, candidateProfileId: input.candidateProfileId, identifiers },
    graphIdentifiers,
    decisions,
  };
}
