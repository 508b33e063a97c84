import type { RfmSummary } from './bg-nbd';
import type { MonetarySummary } from './gamma-gamma';

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;

/** One order of one customer: its UTC day and value. */
export interface OrderFact {
  customerId: string;
  at: Date;
  value: number;
}

export interface CustomerSummary extends RfmSummary, MonetarySummary {
  customerId: string;
}

/**
 * Builds the models' inputs the way Fader, Hardie & Lee define them: time in weeks; the first
 * purchase starts the clock and is not counted (x = repeat purchases); several orders on the
 * same day are one transaction whose value is their sum; T runs to the end of calibration.
 * Orders after `calibrationEnd` are ignored; mx is the mean value of the repeat transactions.
 */
export function summarizeCustomers(orders: OrderFact[], calibrationEnd: Date): CustomerSummary[] {
  const endDay = Math.floor(calibrationEnd.getTime() / DAY_MS);
  const byCustomer = new Map<string, Map<number, number>>();
  for (const o of orders) {
    const day = Math.floor(o.at.getTime() / DAY_MS);
    if (day > endDay) continue;
    let days = byCustomer.get(o.customerId);
    if (!days) byCustomer.set(o.customerId, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + o.value);
  }
  const result: CustomerSummary[] = [];
  for (const [customerId, days] of byCustomer) {
    const sorted = [...days.keys()].sort((p, q) => p - q);
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const repeatValues = sorted.slice(1).map((d) => days.get(d)!);
    const x = repeatValues.length;
    result.push({
      customerId,
      x,
      tx: (last - first) / WEEK_DAYS,
      T: (endDay - first) / WEEK_DAYS,
      mx: x > 0 ? repeatValues.reduce((s, v) => s + v, 0) / x : 0,
    });
  }
  return result;
}

/** Parses the CDNOW sample (`id sampleId yyyymmdd cds dollars`, whitespace separated). */
export function parseCdnow(text: string): OrderFact[] {
  const orders: OrderFact[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 5) continue;
    const [, sampleId, ymd, , dollars] = parts as [string, string, string, string, string];
    const at = new Date(
      Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(4, 6)) - 1, Number(ymd.slice(6, 8))),
    );
    orders.push({ customerId: sampleId, at, value: Number(dollars) });
  }
  return orders;
}
