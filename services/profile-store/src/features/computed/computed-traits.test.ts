import fc from 'fast-check';
import {
  aggregateOf,
  changedKeys,
  computedFromAggregate,
  foldEvents,
  type EventFact,
} from './computed-traits';
import { rfmScores } from './rfm';

const empty = aggregateOf({});
const fact = (day: number, extra: Partial<EventFact> = {}): EventFact => ({
  occurredAt: new Date(Date.UTC(2026, 0, 1 + day)).toISOString(),
  channel: 'web',
  isOrder: false,
  ...extra,
});

describe('computed traits', () => {
  it('foldEvents should keep the earliest and latest times, the aggregate winning ties, in one or many folds', () => {
    // Distinct texts for equal instants show which side a tie keeps.
    const time = fc
      .tuple(fc.integer({ min: 0, max: 5 }), fc.boolean())
      .map(([d, z]) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().replace('.000Z', z ? 'Z' : '.000Z'));
    const facts = fc.array(
      fc.record({ occurredAt: time, isOrder: fc.boolean() }).map((f) => ({ ...f, channel: 'web' })),
    );
    const bound = fc.option(time, { nil: null });
    fc.assert(
      fc.property(bound, bound, facts, (first, last, list) => {
        const start = {
          ...empty,
          firstSeenAt: first,
          lastSeenAt: last,
          firstOrderAt: first,
          lastOrderAt: last,
        };
        const pick = (p: string | null, q: string, earlier: boolean) =>
          p === null
            ? q
            : (earlier ? Date.parse(p) <= Date.parse(q) : Date.parse(p) >= Date.parse(q))
              ? p
              : q;
        let firstSeenAt = first;
        let lastSeenAt = last;
        let firstOrderAt = first;
        let lastOrderAt = last;
        for (const f of list) {
          firstSeenAt = pick(firstSeenAt, f.occurredAt, true);
          lastSeenAt = pick(lastSeenAt, f.occurredAt, false);
          if (!f.isOrder) continue;
          firstOrderAt = pick(firstOrderAt, f.occurredAt, true);
          lastOrderAt = pick(lastOrderAt, f.occurredAt, false);
        }
        const expected = { firstSeenAt, lastSeenAt, firstOrderAt, lastOrderAt };
        expect(foldEvents(start, list, 'EUR')).toMatchObject(expected);
        const oneByOne = list.reduce((agg, f) => foldEvents(agg, [f], 'EUR'), start);
        expect(oneByOne).toMatchObject(expected);
      }),
    );
  });

  it('foldEvents should count orders, revenue, AOV, first/last dates and channels', () => {
    const agg = foldEvents(
      empty,
      [
        fact(3),
        fact(1, { isOrder: true, revenue: 10, channel: 'ecommerce' }),
        fact(5, { isOrder: true, revenue: 30.5, currency: 'eur' }),
        fact(4, { isOrder: true, revenue: 99, currency: 'USD' }),
      ],
      'EUR',
    );
    const c = computedFromAggregate(agg);
    expect(c).toMatchObject({
      eventCount: 4,
      orderCount: 3,
      totalRevenue: 40.5,
      averageOrderValue: 20.25,
      historicalClv: 40.5,
      ordersInOtherCurrencies: 1,
      channels: ['ecommerce', 'web'],
      firstSeenAt: fact(1).occurredAt,
      lastSeenAt: fact(5).occurredAt,
      firstOrderAt: fact(1).occurredAt,
      lastOrderAt: fact(5).occurredAt,
    });
  });

  it('folding in batches should equal folding everything at once, after a round trip through computed', () => {
    const arbFact = fc.record({
      day: fc.integer({ min: 0, max: 300 }),
      isOrder: fc.boolean(),
      revenue: fc.integer({ min: 0, max: 10_000 }).map((c) => c / 100),
      channel: fc.constantFrom('web', 'app', 'pos'),
    });
    fc.assert(
      fc.property(fc.array(arbFact, { maxLength: 30 }), fc.nat(30), (raw, cut) => {
        const facts = raw.map((r) => fact(r.day, r));
        const whole = computedFromAggregate(foldEvents(empty, facts, 'EUR'));
        const first = computedFromAggregate(foldEvents(empty, facts.slice(0, cut), 'EUR'));
        const both = computedFromAggregate(foldEvents(aggregateOf(first), facts.slice(cut), 'EUR'));
        expect(both).toEqual(whole);
      }),
    );
  });

  it('changedKeys should list keys whose values differ', () => {
    expect(changedKeys({ a: 1, b: [1], c: 'x' }, { a: 1, b: [1, 2], d: true })).toEqual(['b', 'c', 'd']);
  });
});

describe('rfmScores', () => {
  it('should give the best customers 5s and the worst 1s', () => {
    const inputs = Array.from({ length: 10 }, (_, i) => ({
      profileId: `p${i}`,
      recencyDays: 100 - i * 10,
      frequency: i + 1,
      monetary: (i + 1) * 50,
    }));
    const scores = rfmScores(inputs);
    expect(scores.get('p9')).toEqual({ r: 5, f: 5, m: 5, segment: '555' });
    expect(scores.get('p0')).toEqual({ r: 1, f: 1, m: 1, segment: '111' });
  });

  it('should give identical customers identical scores within 1..5', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ r: fc.nat(400), f: fc.nat(20), m: fc.nat(5000) }), {
          minLength: 1,
          maxLength: 60,
        }),
        (rows) => {
          const inputs = rows.flatMap((row, i) =>
            [0, 1].map((k) => ({
              profileId: `p${i}-${k}`,
              recencyDays: row.r,
              frequency: row.f,
              monetary: row.m,
            })),
          );
          const scores = rfmScores(inputs);
          rows.forEach((_, i) => {
            const a = scores.get(`p${i}-0`)!;
            expect(scores.get(`p${i}-1`)).toEqual(a);
            for (const v of [a.r, a.f, a.m]) expect(v >= 1 && v <= 5).toBe(true);
          });
        },
      ),
    );
  });
});
