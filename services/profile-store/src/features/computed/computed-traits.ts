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

/**
 * A timestamp and its parsed time, so folding an event parses its time once and the aggregate's
 * bounds once per fold, not twice per comparison. Unparseable text (NaN) compares false, as before:
 * the event's time replaces it.
 */
interface Bound {
  at: string | null;
  ms: number;
}
const boundOf = (at: string | null): Bound => ({ at, ms: at === null ? Number.NaN : Date.parse(at) });
/** The earlier of `b` and the event time (`b` wins ties; a missing `b` loses). */
function keepEarlier(b: Bound, at: string, ms: number): void {
  if (b.at === null || !(b.ms <= ms)) {
    b.at = at;
    b.ms = ms;
  }
}
/** The later of `b` and the event time (`b` wins ties; a missing `b` loses). */
function keepLater(b: Bound, at: string, ms: number): void {
  if (b.at === null || !(b.ms >= ms)) {
    b.at = at;
    b.ms = ms;
  }
}

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
  const firstSeen = boundOf(agg.firstSeenAt);
  const lastSeen = boundOf(agg.lastSeenAt);
  const firstOrder = boundOf(agg.firstOrderAt);
  const lastOrder = boundOf(agg.lastOrderAt);
  for (const f of facts) {
    const ms = Date.parse(f.occurredAt);
    next.eventCount += 1;
    keepEarlier(firstSeen, f.occurredAt, ms);
    keepLater(lastSeen, f.occurredAt, ms);
    if (!next.channels.includes(f.channel)) next.channels.push(f.channel);
    if (!f.isOrder) continue;
    next.orderCount += 1;
    keepEarlier(firstOrder, f.occurredAt, ms);
    keepLater(lastOrder, f.occurredAt, ms);
    if (f.currency !== undefined && f.currency.toUpperCase() !== reportingCurrency)
      next.ordersInOtherCurrencies += 1;
    else {
      next.revenueOrderCount += 1;
      // Rounded at every step so incremental and from-scratch totals agree to the cent.
      next.totalRevenue = round2(next.totalRevenue + (f.revenue ?? 0));
    }
  }
  next.firstSeenAt = firstSeen.at;
  next.lastSeenAt = lastSeen.at;
  next.firstOrderAt = firstOrder.at;
  next.lastOrderAt = lastOrder.at;
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
