import type {
  HashedIdentifier,
  CanonicalEventV1,
  MergeChangeV1,
  ResolutionDecision,
  ResolvedEventV1,
} from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import { deterministicUuid, uuidv7Batch } from '../../graph/graph-keys';
import type { GraphOutcome, GraphStore } from '../../graph/graph-store';
import type { CompiledRules } from '../../rules/identity-rules';
import type { CandidateMatcher } from './candidate-matcher';
import { prepareEvent } from './prepare-event';
import type { PreparedEvent } from './prepare-event';
import { emptyRecord } from './resolution-journal';
import type { ResolutionJournal, ResolutionRecord } from './resolution-journal';

export interface ResolverDeps {
  graph: GraphStore;
  journal: ResolutionJournal;
  rules: CompiledRules;
  hasher: IdentifierHasher;
  matcher: CandidateMatcher;
  clock?: () => number;
}

export interface ResolvedBatch {
  resolved: ResolvedEventV1[];
  changes: MergeChangeV1[];
  /** Pass to `acknowledge` once the outputs are published. */
  eventIds: string[];
  /** Identifiers this batch pushed into quarantine (the profiles they glued may need splitting). */
  quarantined: HashedIdentifier[];
}

export interface Resolver {
  /**
   * Resolves a batch in one graph round trip, writes the durable copy, and returns what to publish.
   * Safe to call again with the same events (crash before commit): the graph returns the outcome it
   * stored for each event until `acknowledge`, and afterwards resolution is a no-op on known links.
   */
  resolveBatch(events: readonly CanonicalEventV1[]): Promise<ResolvedBatch>;
  acknowledge(batch: ResolvedBatch): Promise<void>;
}

export function createResolver(deps: ResolverDeps): Resolver {
  const clock = deps.clock ?? Date.now;
  return {
    async resolveBatch(events) {
      // A batch can carry the same event twice (producer retry); the graph must see it once.
      const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
      const now = clock();
      const candidates = await deps.matcher.findCandidates(unique);
      const profileIds = uuidv7Batch(unique.length, now);
      const hasher = batchHasher(deps.hasher);
      const prepared = unique.map((event, i) =>
        prepareEvent({
          event,
          rules: deps.rules,
          hasher,
          candidates: candidates.get(event.eventId) ?? [],
          candidateProfileId: profileIds[i]!,
        }),
      );
      const outcomes = await deps.graph.resolve(
        prepared.map((p) => p.graphInput),
        deps.rules.limits(),
        now,
      );
      const at = new Date(now).toISOString();
      const record = emptyRecord();
      const resolved: ResolvedEventV1[] = [];
      const changes: MergeChangeV1[] = [];
      prepared.forEach((p, i) => {
        const { event, changes: eventChanges } = collect(p, outcomes[i]!, at, record);
        resolved.push(event);
        changes.push(...eventChanges);
      });
      await deps.journal.record(record);
      const byId = new Map(resolved.map((r) => [r.event.eventId, r]));
      return {
        resolved: events.map((e) => byId.get(e.eventId)!),
        changes,
        eventIds: unique.map((e) => e.eventId),
        quarantined: record.quarantined.map((q) => q.identifier),
      };
    },
    async acknowledge(batch) {
      await deps.graph.acknowledge(batch.eventIds);
    },
  };
}

/**
 * The batch's hasher: a person's events in one batch carry the same user id, device and email
 * again and again, and each HMAC costs microseconds. Pure memo, dropped with the batch.
 */
function batchHasher(hasher: IdentifierHasher): IdentifierHasher {
  const memo = new Map<string, string>();
  return (type, value) => {
    const key = `${type}\u0000${value}`;
    let hash = memo.get(key);
    if (hash === undefined) {
      hash = hasher(type, value);
      memo.set(key, hash);
    }
    return hash;
  };
}

function collect(
  p: PreparedEvent,
  outcome: GraphOutcome,
  at: string,
  record: ResolutionRecord,
): { event: ResolvedEventV1; changes: MergeChangeV1[] } {
  const { event } = p;
  const ref = { eventId: event.eventId, messageId: event.messageId, sourceId: event.sourceId };
  // Nothing linkable (all junk): a profile of its own, derived from the event so a replay agrees.
  const profileId = outcome.profileId ?? deterministicUuid('unattributed', event.eventId);
  const decisions: ResolutionDecision[] = [...p.decisions];
  const linked: string[] = [];
  for (const d of outcome.decisions) {
    const identifier = p.graphIdentifiers[d.index]!;
    decisions.push({
      identifier,
      outcome: d.outcome,
      ...(d.rule ? { rule: d.rule } : {}),
      ...(d.detail ? { detail: d.detail } : {}),
    });
    const candidate = p.graphInput.identifiers[d.index]!.linkRule !== '';
    if (d.outcome === 'attached') record.links.push({ identifier, profileId, eventId: event.eventId, at });
    if ((d.outcome === 'attached' || d.outcome === 'known' || d.outcome === 'merged') && !candidate)
      linked.push(identifier.hash);
  }
  for (const d of decisions) {
    if (d.outcome.startsWith('refused_')) {
      record.decisions.push({
        ...ref,
        identifier: d.identifier,
        profileId,
        outcome: d.outcome,
        rule: d.rule ?? '',
        detail: d.detail ?? '',
        at,
      });
    }
  }
  for (const k of outcome.quarantined) {
    record.quarantined.push({
      identifier: p.graphIdentifiers[k]!,
      reason: 'fan-in above threshold',
      actor: 'system:identity',
      at,
    });
  }
  if (outcome.isNew && outcome.profileId !== undefined)
    record.newProfiles.push({ profileId, eventId: event.eventId, at });
  // Two overlapping stars (from the first two linked identifiers) keep the event's identifiers
  // connected whichever single identifier an unmerge later removes; a clique would be O(n^2).
  const [first, second] = linked;
  const edge = (x: string, y: string) =>
    record.edges.push(
      x < y ? { a: x, b: y, eventId: event.eventId } : { a: y, b: x, eventId: event.eventId },
    );
  for (const other of linked.slice(1)) edge(first!, other);
  for (const other of linked.slice(2)) edge(second!, other);
  const changes: MergeChangeV1[] = outcome.merges.map((m) => {
    const change: MergeChangeV1 = {
      schemaVersion: 1,
      kind: 'merge',
      changeId: deterministicUuid('merge', event.eventId, m.absorbedId),
      survivorId: m.survivorId,
      absorbedId: m.absorbedId,
      linkingIdentifier: p.graphIdentifiers[m.index]!,
      rule: m.rule,
      triggeringEvent: ref,
      at,
    };
    record.merges.push({
      changeId: change.changeId,
      survivorId: m.survivorId,
      absorbedId: m.absorbedId,
      linkingIdentifier: change.linkingIdentifier,
      rule: m.rule,
      event: ref,
      at,
    });
    return change;
  });
  return {
    event: {
      schemaVersion: 1,
      profileId,
      event,
      identifierHashes: p.identifierHashes,
      newProfile: outcome.isNew || outcome.profileId === undefined,
      decisions: decisions.slice(0, 100),
      resolvedAt: at,
    },
    changes,
  };
}
