import type { JsonObject } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import type pg from 'pg';
import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive, fitBgNbd } from '../clv/bg-nbd';
import { summarizeCustomers, type OrderFact } from '../clv/customer-summary';
import { fitGammaGamma, gammaGammaExpectedAverageValue } from '../clv/gamma-gamma';
import type { PiiVault } from '../profiles/pii-vault';
import { patchComputed } from './computed-patches';
import { rfmScores } from './rfm';

export interface ScoringDeps {
  pool: pg.Pool;
  vault: PiiVault;
  reportingCurrency: string;
}

export interface ClvFitResult {
  modelId: number | null;
  customers: number;
  repeatCustomers: number;
  params: JsonObject | null;
  profilesScored: number;
  reason?: string;
}

/** Orders in the reporting currency, per surviving profile (events are re-homed on merge). */
export async function loadOrderFacts(
  db: Queryable,
  reportingCurrency: string,
  until: Date,
): Promise<OrderFact[]> {
  const { rows } = await db.query<{ profile_id: string; occurred_at: Date; revenue: string | null }>(
    `SELECT profile_id, occurred_at, revenue FROM events
      WHERE is_order AND (currency IS NULL OR currency = $1) AND occurred_at <= $2`,
    [reportingCurrency, until],
  );
  return rows.map((r) => ({ customerId: r.profile_id, at: r.occurred_at, value: Number(r.revenue ?? 0) }));
}

/**
 * Refits BG/NBD + Gamma-Gamma on the store's own orders (weeks, days merged, as in the paper)
 * and scores every customer: expected purchases and value over `horizonWeeks`, probability
 * alive. Needs enough data to be meaningful; otherwise nothing is changed and the reason returned.
 */
export async function refitClv(
  deps: ScoringDeps,
  opts: { calibrationEnd?: Date; horizonWeeks?: number; minCustomers?: number } = {},
): Promise<ClvFitResult> {
  const calibrationEnd = opts.calibrationEnd ?? new Date();
  const horizon = opts.horizonWeeks ?? 52;
  const customers = summarizeCustomers(
    await loadOrderFacts(deps.pool, deps.reportingCurrency, calibrationEnd),
    calibrationEnd,
  );
  const repeaters = customers.filter((c) => c.x > 0 && c.mx > 0);
  const base = { customers: customers.length, repeatCustomers: repeaters.length };
  if (customers.length < (opts.minCustomers ?? 50) || repeaters.length < 10) {
    return {
      ...base,
      modelId: null,
      params: null,
      profilesScored: 0,
      reason: 'not enough customers with repeat orders to fit',
    };
  }
  const bg = fitBgNbd(customers);
  const gg = fitGammaGamma(customers);
  const params = {
    bgNbd: {
      r: bg.r,
      alpha: bg.alpha,
      a: bg.a,
      b: bg.b,
      logLikelihood: bg.logLikelihood,
      converged: bg.converged,
    },
    gammaGamma: {
      p: gg.p,
      q: gg.q,
      gamma: gg.gamma,
      logLikelihood: gg.logLikelihood,
      converged: gg.converged,
    },
    horizonWeeks: horizon,
    reportingCurrency: deps.reportingCurrency,
  };
  const { rows } = await deps.pool.query<{ id: string }>(
    'INSERT INTO clv_models (calibration_end, customers, params) VALUES ($1, $2, $3) RETURNING id',
    [calibrationEnd, customers.length, JSON.stringify(params)],
  );
  const patches = new Map<string, JsonObject>();
  for (const c of customers) {
    const purchases = bgNbdConditionalExpectedPurchases(bg, c, horizon);
    const value = gammaGammaExpectedAverageValue(gg, c);
    patches.set(c.customerId, {
      clv: {
        modelId: Number(rows[0]!.id),
        horizonWeeks: horizon,
        expectedPurchases: Math.round(purchases * 1000) / 1000,
        expectedAverageOrderValue: Math.round(value * 100) / 100,
        predictedClv: Math.round(purchases * value * 100) / 100,
        probabilityAlive: Math.round(bgNbdProbabilityAlive(bg, c) * 1000) / 1000,
        currency: deps.reportingCurrency,
      },
    });
  }
  const profilesScored = await patchComputed(deps, patches);
  return { ...base, modelId: Number(rows[0]!.id), params, profilesScored };
}

/** Recomputes RFM quintile scores of every customer with orders against the current distribution. */
export async function rescoreRfm(deps: ScoringDeps, now = new Date()): Promise<number> {
  const { rows } = await deps.pool.query<{
    profile_id: string;
    last_order: Date;
    orders: string;
    revenue: string | null;
  }>(
    `SELECT profile_id, max(occurred_at) AS last_order, count(*) AS orders,
            sum(COALESCE(revenue, 0)) FILTER (WHERE currency IS NULL OR currency = $1) AS revenue
       FROM events WHERE is_order GROUP BY profile_id`,
    [deps.reportingCurrency],
  );
  const scores = rfmScores(
    rows.map((r) => ({
      profileId: r.profile_id,
      recencyDays: Math.max(0, (now.getTime() - r.last_order.getTime()) / 86_400_000),
      frequency: Number(r.orders),
      monetary: Number(r.revenue ?? 0),
    })),
  );
  const patches = new Map<string, JsonObject>([...scores].map(([id, s]) => [id, { rfm: { ...s } }]));
  return patchComputed(deps, patches);
}
