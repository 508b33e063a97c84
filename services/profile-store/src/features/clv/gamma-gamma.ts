import { nelderMead } from './nelder-mead';
import { logGamma } from './special-functions';

/** A repeat customer's monetary summary: x transactions with mean value mx. */
export interface MonetarySummary {
  x: number;
  mx: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/**
 * Individual log-likelihood of the Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma
 * Model of Monetary Value", 2013, eq. 3), for the mean of x transaction values.
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, c: MonetarySummary): number {
  const { p, q, gamma } = params;
  const { x, mx } = c;
  return (
    logGamma(p * x + q) -
    logGamma(p * x) -
    logGamma(q) +
    q * Math.log(gamma) +
    (p * x - 1) * Math.log(mx) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(gamma + mx * x)
  );
}

/** Maximum-likelihood fit of (p, q, γ) on customers with x > 0 and a positive mean value. */
export function fitGammaGamma(
  customers: MonetarySummary[],
): GammaGammaParams & { logLikelihood: number; converged: boolean } {
  const usable = customers.filter((c) => c.x > 0 && c.mx > 0);
  if (usable.length === 0) throw new RangeError('cannot fit Gamma-Gamma without repeat customers with spend');
  const negLl = (logP: number[]): number => {
    const params = { p: Math.exp(logP[0]!), q: Math.exp(logP[1]!), gamma: Math.exp(logP[2]!) };
    let ll = 0;
    for (const c of usable) ll += gammaGammaLogLikelihood(params, c);
    return -ll + 1e-6 * logP.reduce((s, v) => s + v * v, 0);
  };
  let best = nelderMead(negLl, [0, 0, 0], { maxIterations: 8000, tolerance: 1e-12 });
  best = nelderMead(negLl, best.x, { maxIterations: 8000, tolerance: 1e-12, step: 0.1 });
  const [p, q, gamma] = best.x.map(Math.exp) as [number, number, number];
  return { p, q, gamma, logLikelihood: -best.value, converged: best.converged };
}

/**
 * E(M | m_x, x): the customer's expected average transaction value, a weighted mean of the
 * population mean γp/(q−1) and their own observed mean (Fader & Hardie 2013, eq. 5).
 * Customers without repeat transactions get the population mean.
 */
export function gammaGammaExpectedAverageValue(params: GammaGammaParams, c: MonetarySummary): number {
  const { p, q, gamma } = params;
  if (c.x <= 0) return q > 1 ? (gamma * p) / (q - 1) : 0;
  return (p * (gamma + c.x * c.mx)) / (p * c.x + q - 1);
}
