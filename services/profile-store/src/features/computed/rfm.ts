/** One profile's raw RFM inputs. */
export interface RfmInput {
  profileId: string;
  /** Days since the last order. */
  recencyDays: number;
  frequency: number;
  monetary: number;
}

export interface RfmScore {
  r: number;
  f: number;
  m: number;
  /** e.g. "545" */
  segment: string;
}

/**
 * Quintile scores 1–5 against the store's own distribution (5 = best: most recent, most frequent,
 * highest spend). Ties share a score: a value's quintile is decided by how many values rank below
 * it, so identical customers are never split across scores by input order.
 */
export function rfmScores(inputs: RfmInput[]): Map<string, RfmScore> {
  const scorer = (values: number[], higherIsBetter: boolean) => {
    const sorted = [...values].sort((p, q) => p - q);
    const n = sorted.length;
    return (v: number): number => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      const below = lo;
      const quintile = Math.min(5, Math.floor((below / n) * 5) + 1);
      return higherIsBetter ? quintile : 6 - quintile;
    };
  };
  const r = scorer(
    inputs.map((i) => i.recencyDays),
    false,
  );
  const f = scorer(
    inputs.map((i) => i.frequency),
    true,
  );
  const m = scorer(
    inputs.map((i) => i.monetary),
    true,
  );
  const result = new Map<string, RfmScore>();
  for (const i of inputs) {
    const score = { r: r(i.recencyDays), f: f(i.frequency), m: m(i.monetary) };
    result.set(i.profileId, { ...score, segment: `${score.r}${score.f}${score.m}` });
  }
  return result;
}
