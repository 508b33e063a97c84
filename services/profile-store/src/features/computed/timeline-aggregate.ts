import type { Queryable } from '@tessera/db';
import type { TimelineAggregate } from './computed-traits';

interface AggregateRow {
  profile_id: string;
  event_count: string;
  first_seen: Date | null;
  last_seen: Date | null;
  channels: string[];
  order_count: string;
  revenue_order_count: string;
  total_revenue: string | null;
  other_currency: string;
  first_order: Date | null;
  last_order: Date | null;
}

/**
 * The timeline aggregate of each profile, computed from its events (after merges and splits
 * moved events, the incremental state cannot be patched; it is rebuilt from the source of truth).
 */
export async function timelineAggregates(
  db: Queryable,
  profileIds: string[],
  reportingCurrency: string,
): Promise<Map<string, TimelineAggregate>> {
  const result = new Map<string, TimelineAggregate>();
  for (const id of profileIds) {
    result.set(id, {
      eventCount: 0,
      firstSeenAt: null,
      lastSeenAt: null,
      channels: [],
      orderCount: 0,
      revenueOrderCount: 0,
      totalRevenue: 0,
      ordersInOtherCurrencies: 0,
      firstOrderAt: null,
      lastOrderAt: null,
    });
  }
  if (profileIds.length === 0) return result;
  const { rows } = await db.query<AggregateRow>(
    `SELECT profile_id,
            count(*) AS event_count, min(occurred_at) AS first_seen, max(occurred_at) AS last_seen,
            array_agg(DISTINCT channel ORDER BY channel) AS channels,
            count(*) FILTER (WHERE is_order) AS order_count,
            count(*) FILTER (WHERE is_order AND (currency IS NULL OR currency = $2)) AS revenue_order_count,
            sum(COALESCE(revenue, 0)) FILTER (WHERE is_order AND (currency IS NULL OR currency = $2)) AS total_revenue,
            count(*) FILTER (WHERE is_order AND currency IS NOT NULL AND currency <> $2) AS other_currency,
            min(occurred_at) FILTER (WHERE is_order) AS first_order,
            max(occurred_at) FILTER (WHERE is_order) AS last_order
       FROM events WHERE profile_id = ANY($1::uuid[]) GROUP BY profile_id`,
    [profileIds, reportingCurrency],
  );
  for (const r of rows) {
    result.set(r.profile_id, {
      eventCount: Number(r.event_count),
      firstSeenAt: r.first_seen?.toISOString() ?? null,
      lastSeenAt: r.last_seen?.toISOString() ?? null,
      channels: r.channels,
      orderCount: Number(r.order_count),
      revenueOrderCount: Number(r.revenue_order_count),
      totalRevenue: Math.round(Number(r.total_revenue ?? 0) * 100) / 100,
      ordersInOtherCurrencies: Number(r.other_currency),
      firstOrderAt: r.first_order?.toISOString() ?? null,
      lastOrderAt: r.last_order?.toISOString() ?? null,
    });
  }
  return result;
}
