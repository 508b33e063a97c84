import type { HashedIdentifier } from '@tessera/contracts';

/** What one batch changed, in the shape the durable copy stores (see features/durability). */
export interface ResolutionRecord {
  newProfiles: Array<{ profileId: string; eventId: string; at: string }>;
  links: Array<{ identifier: HashedIdentifier; profileId: string; eventId: string; at: string }>;
  merges: Array<{
    changeId: string;
    survivorId: string;
    absorbedId: string;
    linkingIdentifier: HashedIdentifier;
    rule: string;
    event: { eventId: string; messageId: string; sourceId: string };
    at: string;
  }>;
  /** Co-occurrence evidence: identifiers linked by the same event (unmerge recomputes components from it). */
  edges: Array<{ a: string; b: string; eventId: string }>;
  /** Refusals, kept for explanation. */
  decisions: Array<{
    eventId: string;
    messageId: string;
    sourceId: string;
    identifier: HashedIdentifier;
    profileId: string;
    outcome: string;
    rule: string;
    detail: string;
    at: string;
  }>;
  quarantined: Array<{ identifier: HashedIdentifier; reason: string; actor: string; at: string }>;
}

/** The durable copy of the graph. Writes must be idempotent: a replayed batch writes the same rows. */
export interface ResolutionJournal {
  record(batch: ResolutionRecord): Promise<void>;
}

export const emptyRecord = (): ResolutionRecord => ({
  newProfiles: [],
  links: [],
  merges: [],
  edges: [],
  decisions: [],
  quarantined: [],
});
