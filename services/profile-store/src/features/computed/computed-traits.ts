import type { JsonObject } from '@tessera/contracts';
import { sameJson } from '../traits/same-json';

/** What the computed traits need from one event. */
export interface EventFact {
  occurredAt: string;
  channel: string;
  isOrder: boolean;
  revenue?: number | undefined;
  currency?: string | undefined;
}

/** Aggregates over a profile's whole timeline (from SQL after merges and splits). */
export interface TimelineAggregate {
  eventCount: number;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  channels: string[];
  orderCount: number;
  revenueOrderCount: number;
  totalRevenue: number;
  ordersInOtherCurrencies: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
}

/** Computed traits owned by the incremental path; RFM and CLV fields are written by jobs. */
export const TimelineTraits = [
  'eventCount',
  'firstSeenAt',
  'lastSeenAt',
  'channels',
  'orderCount',
  'totalRevenue',
  'averageOrderValue',
  'historicalClv',
  'ordersInOtherCurrencies',
  'firstOrderAt',
  'lastOrderAt',
] as const;

const round2 = (n: number) => Math.round(n * 100) / 100;
const earlier = (p: string | null, q: string | null) =>
  p === null ? q : q === null ? p : Date.parse(p) <= Date.parse(q) ? p : q;
const later = (p: string | null, q: string | null) =>
  p === null ? q : q === null ? p : Date.parse(p) >= Date.parse(q) ? p : q;

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Reads the aggregate back out of a profile's computed traits. */
export function aggregateOf(computed: JsonObject): TimelineAggregate {
  const orderCount = num(computed.orderCount);
  const other = num(computed.ordersInOtherCurrencies);
  return {
    eventCount: num(computed.eventCount),
    firstSeenAt: str(computed.firstSeenAt),
    lastSeenAt: str(computed.lastSeenAt),
    channels: Array.isArray(computed.channels)
      ? computed.channels.filter((c): c is string => typeof c === 'string')
      : [],
    orderCount,
    revenueOrderCount: num(computed.revenueOrderCount, orderCount - other),
    totalRevenue: num(computed.totalRevenue),
    ordersInOtherCurrencies: other,
    firstOrderAt: str(computed.firstOrderAt),
    lastOrderAt: str(computed.lastOrderAt),
  };
}

/**
 * Folds new events into the aggregate. Revenue is summed in the reporting currency only: orders in
 * another currency are counted but kept out of revenue (no silent FX), and reported as such.
 */
export function foldEvents(
  agg: TimelineAggregate,
  facts: EventFact[],
  reportingCurrency: string,
): TimelineAggregate {
  const next = { ...agg, channels: [...agg.channels] };
  for (const f of facts) {
    next.eventCount += 1;
    next.firstSeenAt = earlier(next.firstSeenAt, f.occurredAt);
    next.lastSeenAt = later(next.lastSeenAt, f.occurredAt);
    if (!next.channels.includes(f.channel)) next.channels.push(f.channel);
    if (!f.isOrder) continue;
    next.orderCount += 1;
    next.firstOrderAt = earlier(next.firstOrderAt, f.occurredAt);
    next.lastOrderAt = later(next.lastOrderAt, f.occurredAt);
    if (f.currency !== undefined && f.currency.toUpperCase() !== reportingCurrency)
      next.ordersInOtherCurrencies += 1;
    else {
      next.revenueOrderCount += 1;
      // Rounded at every step so incremental and from-scratch totals agree to the cent.
      next.totalRevenue = round2(next.totalRevenue + (f.revenue ?? 0));
    }
  }
  next.channels.sort();
  return next;
}

/** The timeline part of `computed` (merged over the job-owned fields by the caller). */
export function computedFromAggregate(agg: TimelineAggregate): JsonObject {
  const total = round2(agg.totalRevenue);
  return {
    eventCount: agg.eventCount,
    firstSeenAt: agg.firstSeenAt,
    lastSeenAt: agg.lastSeenAt,
    channels: agg.channels,
    orderCount: agg.orderCount,
    revenueOrderCount: agg.revenueOrderCount,
    totalRevenue: total,
    averageOrderValue: agg.revenueOrderCount > 0 ? round2(agg.totalRevenue / agg.revenueOrderCount) : null,
    historicalClv: total,
    ordersInOtherCurrencies: agg.ordersInOtherCurrencies,
    firstOrderAt: agg.firstOrderAt,
    lastOrderAt: agg.lastOrderAt,
  };
}

/** Names of keys whose values differ (JSON equality). */
export function changedKeys(before: JsonObject, after: JsonObject): string[] {
  const changed: string[] = [];
  for (const k of Object.keys(before)) if (!sameJson(before[k], after[k])) changed.push(k);
  for (const k of Object.keys(after))
    if (!Object.hasOwn(before, k) && !sameJson(before[k], after[k])) changed.push(k);
  return changed.sort();
}
