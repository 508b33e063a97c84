import { nelderMead } from './nelder-mead';
import { hyp2f1, logGamma } from './special-functions';

/** One customer's calibration summary: repeat purchases x, time of last purchase t_x, age T (same time unit). */
export interface RfmSummary {
  x: number;
  tx: number;
  T: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * Individual log-likelihood of the BG/NBD model (Fader, Hardie & Lee 2005, eq. 6):
 * L = B(a,b+x)/B(a,b) · Γ(r+x)α^r/Γ(r) · [1/(α+T)^(r+x) + δ(x>0) · a/(b+x−1) · 1/(α+t_x)^(r+x)].
 */
export function bgNbdLogLikelihood(p: BgNbdParams, c: RfmSummary): number {
  const { r, alpha, a, b } = p;
  const { x, tx, T } = c;
  const a1 = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const a2 = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  const a3 = -(r + x) * Math.log(alpha + T);
  if (x === 0) return a1 + a2 + a3;
  const a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  // log(e^a3 + e^a4) without overflow.
  const m = Math.max(a3, a4);
  return a1 + a2 + m + Math.log(Math.exp(a3 - m) + Math.exp(a4 - m));
}

/** Customers with identical (x, t_x, T) share a likelihood term: fit on the counted groups. */
function groupSummaries(customers: RfmSummary[]): Array<RfmSummary & { n: number }> {
  const groups = new Map<string, RfmSummary & { n: number }>();
  for (const c of customers) {
    const key = `${c.x}|${c.tx}|${c.T}`;
    const g = groups.get(key);
    if (g) g.n += 1;
    else groups.set(key, { ...c, n: 1 });
  }
  return [...groups.values()];
}

/**
 * Maximum-likelihood fit of (r, α, a, b). Parameters are optimised on the log scale so the search
 * is unconstrained; a tiny ridge on the log-parameters keeps degenerate data sets (everyone
 * bought once) from drifting to infinity without moving well-posed fits.
 */
export function fitBgNbd(
  customers: RfmSummary[],
): BgNbdParams & { logLikelihood: number; converged: boolean } {
  if (customers.length === 0) throw new RangeError('cannot fit BG/NBD on no customers');
  const groups = groupSummaries(customers);
  const negLl = (logP: number[]): number => {
    const p = {
      r: Math.exp(logP[0]!),
      alpha: Math.exp(logP[1]!),
      a: Math.exp(logP[2]!),
      b: Math.exp(logP[3]!),
    };
    let ll = 0;
    for (const g of groups) ll += g.n * bgNbdLogLikelihood(p, g);
    const ridge = 1e-6 * logP.reduce((s, v) => s + v * v, 0);
    return -ll + ridge;
  };
  let best = nelderMead(negLl, [0, 0, 0, 0], { maxIterations: 8000, tolerance: 1e-12 });
  // A restart from the optimum shakes the simplex out of premature collapse.
  best = nelderMead(negLl, best.x, { maxIterations: 8000, tolerance: 1e-12, step: 0.1 });
  const [r, alpha, a, b] = best.x.map(Math.exp) as [number, number, number, number];
  return { r, alpha, a, b, logLikelihood: -best.value, converged: best.converged };
}

/**
 * Expected number of purchases in (T, T+t] for a customer with history (x, t_x, T)
 * (Fader, Hardie & Lee 2005, eq. 10).
 */
export function bgNbdConditionalExpectedPurchases(p: BgNbdParams, c: RfmSummary, t: number): number {
  const { r, alpha, a, b } = p;
  const { x, tx, T } = c;
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const hyp = hyp2f1(r + x, b + x, a + b + x - 1, z);
  const numerator = ((a + b + x - 1) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp);
  const denominator = 1 + (x > 0 ? (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 0);
  return numerator / denominator;
}

/** Probability the customer is still "alive" (has not dropped out) at T (FHL 2005, eq. 12). */
export function bgNbdProbabilityAlive(p: BgNbdParams, c: RfmSummary): number {
  if (c.x === 0) return 1;
  const { r, alpha, a, b } = p;
  return 1 / (1 + (a / (b + c.x - 1)) * Math.pow((alpha + c.T) / (alpha + c.tx), r + c.x));
}
