import fc from 'fast-check';
import {
  applySurvivorship,
  isEmptyValue,
  type SurvivorshipRule,
  type TraitObservation,
} from './survivorship';
import { ruleFor, survivorshipConfig } from './survivorship-config';
import { maskValue } from './pii-traits';

let seq = 0;
const obs = (value: unknown, observedAt: number, source = 'web-src', channel = 'web'): TraitObservation => ({
  id: `o${String(seq++).padStart(4, '0')}`,
  value,
  valueKey: JSON.stringify(value),
  source,
  channel,
  observedAt,
  eventId: `e${seq}`,
});

describe('applySurvivorship', () => {
  it('most_recent should pick the latest non-empty value', () => {
    const golden = applySurvivorship({ kind: 'most_recent' }, [
      obs('a', 1),
      obs('b', 3),
      obs('', 5),
      obs(null, 6),
    ]);
    expect(golden?.value).toBe('b');
    expect(golden?.winner.observedAt).toBe(3);
  });

  it('first_seen should pick the earliest non-empty value', () => {
    expect(
      applySurvivorship({ kind: 'first_seen' }, [obs('late', 9), obs('  ', 0), obs('early', 2)])?.value,
    ).toBe('early');
  });

  it('most_frequent should pick the commonest value, ties to the most recent', () => {
    expect(
      applySurvivorship({ kind: 'most_frequent' }, [
        obs('de', 1),
        obs('en', 2),
        obs('de', 3),
        obs('en', 0),
        obs('fr', 9),
        obs('de', 4),
      ])?.value,
    ).toBe('de');
    expect(applySurvivorship({ kind: 'most_frequent' }, [obs('de', 1), obs('en', 2)])?.value).toBe('en');
  });

  it('source_priority should prefer the CRM over ecommerce over POS, regardless of recency', () => {
    const rule: SurvivorshipRule = { kind: 'source_priority', priority: ['crm', 'ecommerce', 'pos'] };
    const golden = applySurvivorship(rule, [
      obs('Pos Name', 10, 'till-7', 'pos'),
      obs('Crm Name', 1, 'salesforce', 'crm'),
      obs('Shop Name', 5, 'shopify', 'ecommerce'),
    ]);
    expect(golden?.value).toBe('Crm Name');
    expect(golden?.winner.source).toBe('salesforce');
    expect(
      applySurvivorship(rule, [obs('Pos', 10, 'till', 'pos'), obs('Unlisted', 11, 'x', 'web')])?.value,
    ).toBe('Pos');
    // a source id entry wins over channel matching
    expect(
      applySurvivorship({ kind: 'source_priority', priority: ['till'] }, [
        obs('A', 1, 'till', 'pos'),
        obs('B', 5, 'other', 'pos'),
      ])?.value,
    ).toBe('A');
  });

  it('aggregates should sum, max, min and count numeric observations', () => {
    const values = [obs(5, 1), obs('7', 2), obs('n/a', 3), obs(-2, 4)];
    expect(applySurvivorship({ kind: 'sum' }, values)?.value).toBe(10);
    expect(applySurvivorship({ kind: 'max' }, values)?.value).toBe(7);
    expect(applySurvivorship({ kind: 'min' }, values)?.value).toBe(-2);
    expect(applySurvivorship({ kind: 'count' }, values)?.value).toBe(4);
    expect(applySurvivorship({ kind: 'max' }, values)?.winner.observedAt).toBe(2);
    expect(applySurvivorship({ kind: 'sum' }, [obs('x', 1)])).toBeUndefined();
  });

  it('should return undefined when every observation is empty', () => {
    expect(
      applySurvivorship({ kind: 'most_recent' }, [obs(null, 1), obs([], 2), obs({}, 3)]),
    ).toBeUndefined();
    expect(isEmptyValue(0)).toBe(false);
    expect(isEmptyValue(false)).toBe(false);
  });

  it('every rule should be independent of observation order', () => {
    const rules: SurvivorshipRule[] = [
      { kind: 'most_recent' },
      { kind: 'first_seen' },
      { kind: 'most_frequent' },
      { kind: 'source_priority', priority: ['crm', 'pos'] },
      { kind: 'sum' },
      { kind: 'max' },
      { kind: 'min' },
      { kind: 'count' },
    ];
    const arbObs = fc.array(
      fc.record({
        value: fc.oneof(fc.constantFrom('a', 'b', '', null), fc.integer({ min: -5, max: 5 })),
        observedAt: fc.integer({ min: 0, max: 20 }),
        channel: fc.constantFrom('crm', 'pos', 'web'),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(arbObs, fc.constantFrom(...rules), fc.integer(), (raw, rule, shuffleSeed) => {
        const list = raw.map((r, i) => ({
          ...obs(r.value, r.observedAt, r.channel, r.channel),
          id: `id${i}`,
        }));
        const k = list.length === 0 ? 0 : Math.abs(shuffleSeed) % list.length;
        const shuffled = [...list.slice(k), ...list.slice(0, k)].reverse();
        const a = applySurvivorship(rule, list);
        const b = applySurvivorship(rule, shuffled);
        expect(b?.value).toEqual(a?.value);
        expect(b?.winner.id).toEqual(a?.winner.id);
        if (a) expect(isEmptyValue(a.winner.value)).toBe(false);
      }),
    );
  });
});

describe('survivorshipConfig', () => {
  it('ruleFor should give configured rules and the most-recent default', () => {
    expect(ruleFor(survivorshipConfig, 'lastName').kind).toBe('source_priority');
    expect(ruleFor(survivorshipConfig, 'plan').kind).toBe('most_recent');
  });
});

describe('maskValue', () => {
  it('should mask emails, phones and names', () => {
    expect(maskValue('anna@example.com', 'email')).toBe('a***@example.com');
    expect(maskValue('+4915112345678', 'phone')).toBe('+49*********78');
    expect(maskValue('Annabelle')).toBe('A***');
    expect(maskValue({ street: 'Main St 1', city: 'Berlin' })).toEqual({ street: 'M***', city: 'B***' });
  });
});
