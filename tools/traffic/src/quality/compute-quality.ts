import type { TruthIdentifier, TruthRecord } from '../world/model';

/** Where the platform put each identifier: `identifierKey(type, value)` -> profile id (absent: not found). */
export type Clustering = ReadonlyMap<string, string>;

export const identifierKey = (type: string, value: string): string => `${type}:${value}`;

export interface PairwiseScores {
  /** Items scored (identifiers or events). */
  items: number;
  /** Items the platform could not place in any profile; each counts as a profile of its own. */
  unresolved: number;
  /** Pairs of items that belong to the same person. */
  truePairs: number;
  /** Pairs of items the platform put in the same profile. */
  predictedPairs: number;
  /** Pairs in both. */
  correctPairs: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface QualityReport {
  persons: number;
  /** Distinct profiles the persons' identifiers landed in. */
  profiles: number;
  identifiers: PairwiseScores;
  events: PairwiseScores;
  /** Profiles holding identifiers of more than one person. */
  overMergedProfiles: number;
  largestOverMerge: { profileId: string; persons: number; identifiers: number } | null;
  /** Persons whose identifiers are spread over more than one profile (unresolved ones not counted). */
  splitPersons: number;
  /** The most profiles one person is spread over. */
  maxProfilesPerPerson: number;
  /** Shared (household) and junk identifiers are excluded from the scores; reported for context. */
  sharedIdentifiers: number;
  junkIdentifiers: number;
  /** Junk identifiers the platform nevertheless attached to a profile (should be refused). */
  junkResolved: number;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/**
 * Pairwise scores of a clustering against the truth, from the contingency table of
 * (predicted cluster, person): correct pairs are those inside one cell.
 */
export function pairwiseScores(
  items: ReadonlyArray<{ personId: string; cluster: string | undefined }>,
): PairwiseScores {
  const cells = new Map<string, number>();
  const clusterSizes = new Map<string, number>();
  const personSizes = new Map<string, number>();
  let unresolved = 0;
  items.forEach((item, i) => {
    // an unresolved item is alone: it pairs with nothing
    const cluster = item.cluster ?? `\u0000unresolved:${i}`;
    if (item.cluster === undefined) unresolved++;
    const cell = `${cluster}\u0000${item.personId}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    clusterSizes.set(cluster, (clusterSizes.get(cluster) ?? 0) + 1);
    personSizes.set(item.personId, (personSizes.get(item.personId) ?? 0) + 1);
  });
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((s, n) => s + pairs(n), 0);
  const correctPairs = sum(cells);
  const predictedPairs = sum(clusterSizes);
  const truePairs = sum(personSizes);
  // with no pairs to get wrong (or to find), the score is perfect by convention
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { items: items.length, unresolved, truePairs, predictedPairs, correctPairs, precision, recall, f1 };
}

/** Distinct person-owned identifiers with their owner, in first-seen order. */
export function personIdentifiers(
  truth: readonly TruthRecord[],
): Map<string, { personId: string; identifier: TruthIdentifier }> {
  const out = new Map<string, { personId: string; identifier: TruthIdentifier }>();
  for (const record of truth) {
    for (const id of record.identifiers) {
      const key = identifierKey(id.type, id.value);
      if (id.owner === 'person' && !out.has(key)) out.set(key, { personId: record.personId, identifier: id });
    }
  }
  return out;
}

/**
 * The profile an event landed in: where its person-owned identifiers resolve (the first that
 * does); an event carrying only a shared or junk identifier goes wherever that one resolves.
 */
export function eventProfile(record: TruthRecord, clustering: Clustering): string | undefined {
  const rank = { person: 0, shared: 1, junk: 2 } as const;
  const ordered = [...record.identifiers].sort((a, b) => rank[a.owner] - rank[b.owner]);
  for (const id of ordered) {
    const profile = clustering.get(identifierKey(id.type, id.value));
    if (profile !== undefined) return profile;
  }
  return undefined;
}

/** How well the platform's profiles match the persons of the ground truth. Pure. */
export function computeQuality(truth: readonly TruthRecord[], clustering: Clustering): QualityReport {
  const owned = personIdentifiers(truth);
  const identifierItems = [...owned].map(([key, { personId }]) => ({
    personId,
    cluster: clustering.get(key),
  }));
  const eventItems = truth.map((record) => ({
    personId: record.personId,
    cluster: eventProfile(record, clustering),
  }));

  const personsByProfile = new Map<string, Set<string>>();
  const identifiersByProfile = new Map<string, number>();
  const profilesByPerson = new Map<string, Set<string>>();
  for (const record of truth)
    if (!profilesByPerson.has(record.personId)) profilesByPerson.set(record.personId, new Set());
  for (const { personId, cluster } of identifierItems) {
    if (cluster === undefined) continue;
    if (!personsByProfile.has(cluster)) personsByProfile.set(cluster, new Set());
    personsByProfile.get(cluster)!.add(personId);
    identifiersByProfile.set(cluster, (identifiersByProfile.get(cluster) ?? 0) + 1);
    profilesByPerson.get(personId)!.add(cluster);
  }
  let largestOverMerge: QualityReport['largestOverMerge'] = null;
  let overMergedProfiles = 0;
  for (const [profileId, persons] of [...personsByProfile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (persons.size < 2) continue;
    overMergedProfiles++;
    const candidate = { profileId, persons: persons.size, identifiers: identifiersByProfile.get(profileId)! };
    if (
      !largestOverMerge ||
      candidate.persons > largestOverMerge.persons ||
      (candidate.persons === largestOverMerge.persons && candidate.identifiers > largestOverMerge.identifiers)
    ) {
      largestOverMerge = candidate;
    }
  }
  const spreads = [...profilesByPerson.values()].map((s) => s.size);

  const shared = new Set<string>();
  const junk = new Set<string>();
  for (const record of truth) {
    for (const id of record.identifiers) {
      if (id.owner === 'shared') shared.add(identifierKey(id.type, id.value));
      if (id.owner === 'junk') junk.add(identifierKey(id.type, id.value));
    }
  }
  return {
    persons: profilesByPerson.size,
    profiles: personsByProfile.size,
    identifiers: pairwiseScores(identifierItems),
    events: pairwiseScores(eventItems),
    overMergedProfiles,
    largestOverMerge,
    splitPersons: spreads.filter((n) => n > 1).length,
    maxProfilesPerPerson: Math.max(0, ...spreads),
    sharedIdentifiers: shared.size,
    junkIdentifiers: junk.size,
    junkResolved: [...junk].filter((key) => clustering.has(key)).length,
  };
}
