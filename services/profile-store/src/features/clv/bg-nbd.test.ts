import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  fitBgNbd,
  type BgNbdParams,
} from './bg-nbd';
import { parseCdnow, summarizeCustomers } from './customer-summary';
import { fitGammaGamma, gammaGammaExpectedAverageValue } from './gamma-gamma';
import { hyp2f1, logGamma } from './special-functions';

// CI places shared/ beside the clone: <repo>/../shared.
const CDNOW = path.resolve(__dirname, '../../../../../../shared/data/cdnow/CDNOW_sample.txt');
const PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

const within = (actual: number, expected: number, rel: number) =>
  Math.abs(actual - expected) / expected <= rel;

describe('special functions', () => {
  it('logGamma should match factorials and Γ(1/2)', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(6)).toBeCloseTo(Math.log(120), 11);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 11);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 10);
  });

  it('hyp2f1 should match closed forms', () => {
    // ₂F₁(1,1;2;z) = −ln(1−z)/z
    for (const z of [0.1, 0.5, 0.9, 0.99]) expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 8);
    // ₂F₁(a,b;b;z) = (1−z)^−a
    expect(hyp2f1(2.5, 3, 3, 0.7)).toBeCloseTo(Math.pow(0.3, -2.5), 8);
  });
});

describe('BG/NBD', () => {
  const orders = parseCdnow(fs.readFileSync(CDNOW, 'utf8'));
  const customers = summarizeCustomers(orders, new Date('1997-09-30T00:00:00Z'));

  it('summarizeCustomers should build the paper calibration data (2357 customers, days merged, weeks)', () => {
    expect(customers).toHaveLength(2357);
    const first = customers.find((c) => c.customerId === '0001')!;
    expect(first.x).toBe(2);
    expect(first.tx).toBeCloseTo(30.43, 2);
    expect(first.T).toBeCloseTo(38.86, 2);
    expect(customers.filter((c) => c.x > 0)).toHaveLength(946);
  });

  it('fitBgNbd should reproduce Fader, Hardie & Lee (2005) on CDNOW within 1%', () => {
    const fit = fitBgNbd(customers);
    expect(within(fit.r, PAPER.r, 0.01)).toBe(true);
    expect(within(fit.alpha, PAPER.alpha, 0.01)).toBe(true);
    expect(within(fit.a, PAPER.a, 0.01)).toBe(true);
    expect(within(fit.b, PAPER.b, 0.01)).toBe(true);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 0);
  }, 30_000);

  it('fitGammaGamma should reproduce Fader & Hardie (2013) on CDNOW repeat customers within 1%', () => {
    const fit = fitGammaGamma(customers);
    expect(within(fit.p, 6.25, 0.01)).toBe(true);
    expect(within(fit.q, 3.74, 0.01)).toBe(true);
    expect(within(fit.gamma, 15.44, 0.01)).toBe(true);
    // The note's population mean of average transaction value: E(Z) = pγ/(q−1) ≈ $35.
    expect(gammaGammaExpectedAverageValue(fit, { x: 0, mx: 0 })).toBeCloseTo(35.2, 0);
  }, 30_000);

  it('bgNbdConditionalExpectedPurchases should give the paper worked example (x=2, tx=30.43, T=38.86 → 1.226 in 39 weeks)', () => {
    expect(bgNbdConditionalExpectedPurchases(PAPER, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 2);
  });

  it('bgNbdConditionalExpectedPurchases should be zero at t=0 and grow with the horizon', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.double({ min: 0.5, max: 52, noNaN: true }),
        (x, txShare, T, t) => {
          const c = { x, tx: x === 0 ? 0 : txShare * T, T };
          const short = bgNbdConditionalExpectedPurchases(PAPER, c, t);
          const long = bgNbdConditionalExpectedPurchases(PAPER, c, t * 2);
          expect(bgNbdConditionalExpectedPurchases(PAPER, c, 0)).toBe(0);
          expect(short).toBeGreaterThanOrEqual(0);
          expect(long).toBeGreaterThanOrEqual(short - 1e-9);
        },
      ),
    );
  });

  it('bgNbdProbabilityAlive should be a probability and fall as the last purchase recedes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 2, max: 100, noNaN: true }), (x, T) => {
        const recent = bgNbdProbabilityAlive(PAPER, { x, tx: T * 0.9, T });
        const old = bgNbdProbabilityAlive(PAPER, { x, tx: T * 0.1, T });
        expect(recent).toBeGreaterThan(0);
        expect(recent).toBeLessThanOrEqual(1);
        expect(old).toBeLessThanOrEqual(recent);
      }),
    );
  });

  it('bgNbdLogLikelihood should be finite for any valid history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (x, share) => {
          const T = 40;
          expect(Number.isFinite(bgNbdLogLikelihood(PAPER, { x, tx: x === 0 ? 0 : share * T, T }))).toBe(
            true,
          );
        },
      ),
    );
  });
});
