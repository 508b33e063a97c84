/** One observed value of a trait, with its provenance. */
export interface TraitObservation {
  id: string;
  value: unknown;
  /**
   * Equality key of the value (for "most frequent"): the JSON text for plain values, a keyed hash
   * for encrypted PII values, so survivorship never needs to decrypt.
   */
  valueKey: string;
  source: string;
  channel: string;
  /** Epoch milliseconds. */
  observedAt: number;
  eventId: string;
}

export type SurvivorshipRule =
  | { kind: 'most_recent' }
  | { kind: 'first_seen' }
  | { kind: 'most_frequent' }
  /** Entries match a source id or a channel; earlier wins. Unlisted sources rank last. */
  | { kind: 'source_priority'; priority: string[] }
  | { kind: 'sum' }
  | { kind: 'max' }
  | { kind: 'min' }
  | { kind: 'count' };

export interface GoldenValue {
  value: unknown;
  /** The observation that decided the value (for aggregates: the latest contributing one). */
  winner: TraitObservation;
  rule: SurvivorshipRule['kind'];
}

/** Empty values never win: null, blank strings, empty arrays and objects. */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim().length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Later first; ties broken by id so the result never depends on input order. */
function newer(p: TraitObservation, q: TraitObservation): boolean {
  return p.observedAt !== q.observedAt ? p.observedAt > q.observedAt : p.id > q.id;
}

function pick(
  obs: TraitObservation[],
  better: (p: TraitObservation, q: TraitObservation) => boolean,
): TraitObservation {
  let best = obs[0]!;
  for (let i = 1; i < obs.length; i++) if (better(obs[i]!, best)) best = obs[i]!;
  return best;
}

function latest(obs: TraitObservation[]): TraitObservation {
  return pick(obs, newer);
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/**
 * The golden value of one trait under a rule, or undefined when no observation qualifies.
 * Pure and order-independent: the same observations give the same winner in any order.
 */
export function applySurvivorship(
  rule: SurvivorshipRule,
  observations: TraitObservation[],
): GoldenValue | undefined {
  const candidates = observations.filter((o) => !isEmptyValue(o.value));
  if (candidates.length === 0) return undefined;
  const result = (winner: TraitObservation, value: unknown = winner.value): GoldenValue => ({
    value,
    winner,
    rule: rule.kind,
  });

  switch (rule.kind) {
    case 'most_recent':
      return result(latest(candidates));
    case 'first_seen':
      return result(
        pick(candidates, (p, q) =>
          p.observedAt !== q.observedAt ? p.observedAt < q.observedAt : p.id < q.id,
        ),
      );
    case 'most_frequent': {
      const counts = new Map<string, number>();
      for (const o of candidates) counts.set(o.valueKey, (counts.get(o.valueKey) ?? 0) + 1);
      return result(
        pick(candidates, (p, q) => {
          const cp = counts.get(p.valueKey)!;
          const cq = counts.get(q.valueKey)!;
          return cp !== cq ? cp > cq : newer(p, q);
        }),
      );
    }
    case 'source_priority': {
      const rank = (o: TraitObservation) => {
        const bySource = rule.priority.indexOf(o.source);
        const byChannel = rule.priority.indexOf(o.channel);
        const ranks = [bySource, byChannel].filter((r) => r >= 0);
        return ranks.length > 0 ? Math.min(...ranks) : rule.priority.length;
      };
      return result(pick(candidates, (p, q) => (rank(p) !== rank(q) ? rank(p) < rank(q) : newer(p, q))));
    }
    case 'count':
      return result(latest(candidates), candidates.length);
    case 'sum':
    case 'max':
    case 'min': {
      const numbers = candidates.filter((o) => numeric(o.value) !== undefined);
      if (numbers.length === 0) return undefined;
      if (rule.kind === 'sum')
        return result(
          latest(numbers),
          numbers.reduce((s, o) => s + numeric(o.value)!, 0),
        );
      const sign = rule.kind === 'max' ? 1 : -1;
      const winner = pick(numbers, (p, q) => {
        const d = sign * (numeric(p.value)! - numeric(q.value)!);
        return d !== 0 ? d > 0 : newer(p, q);
      });
      return result(winner, numeric(winner.value));
    }
  }
}
