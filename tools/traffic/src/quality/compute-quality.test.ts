import type { IdentifierOwner, TruthRecord } from '../world/model';
import { computeQuality, identifierKey } from './compute-quality';

const id = (type: string, value: string, owner: IdentifierOwner = 'person') => ({
  type,
  raw: value,
  value,
  owner,
});
let seq = 0;
const msg = (personId: string, identifiers: TruthRecord['identifiers']): TruthRecord => ({
  id: `m${++seq}`,
  seq,
  route: 'web',
  personId,
  kind: 'track',
  at: '2026-09-01T00:00:00.000Z',
  events: 1,
  identifiers,
});

// Persons A (3 identifiers, 3 messages), B (2 identifiers, 2 messages), C (1 identifier, 1 message);
// plus a junk phone and a household tablet shared by A and B, which are not scored.
// True pairs, identifiers: C(3,2) + C(2,2) + C(1,2) = 3 + 1 + 0 = 4; events: the same 4.
const truth: TruthRecord[] = [
  msg('A', [id('user_id', 'ua'), id('email', 'a@x.com')]),
  msg('A', [id('anonymous_id', 'da')]),
  msg('A', [id('anonymous_id', 'da'), id('user_id', 'ua')]),
  msg('B', [id('email', 'b@x.com'), id('phone', '0000000000', 'junk')]),
  msg('B', [id('user_id', 'ub'), { ...id('anonymous_id', 'tab', 'shared'), sharedBy: ['A', 'B'] }]),
  msg('C', [id('phone', '+15550001111')]),
];

const clustering = (entries: Array<[string, string, string]>): Map<string, string> =>
  new Map(entries.map(([type, value, profile]) => [identifierKey(type, value), profile]));

describe('computeQuality', () => {
  it('computeQuality should score a perfect clustering 1 everywhere', () => {
    const report = computeQuality(
      truth,
      clustering([
        ['user_id', 'ua', 'P1'],
        ['email', 'a@x.com', 'P1'],
        ['anonymous_id', 'da', 'P1'],
        ['email', 'b@x.com', 'P2'],
        ['user_id', 'ub', 'P2'],
        ['anonymous_id', 'tab', 'P2'],
        ['phone', '+15550001111', 'P3'],
      ]),
    );
    expect(report.identifiers).toEqual({
      items: 6,
      unresolved: 0,
      truePairs: 4,
      predictedPairs: 4,
      correctPairs: 4,
      precision: 1,
      recall: 1,
      f1: 1,
    });
    expect(report.events).toEqual({
      items: 6,
      unresolved: 0,
      truePairs: 4,
      predictedPairs: 4,
      correctPairs: 4,
      precision: 1,
      recall: 1,
      f1: 1,
    });
    expect(report).toMatchObject({
      persons: 3,
      profiles: 3,
      overMergedProfiles: 0,
      largestOverMerge: null,
      splitPersons: 0,
      maxProfilesPerPerson: 1,
    });
    expect(report).toMatchObject({ sharedIdentifiers: 1, junkIdentifiers: 1, junkResolved: 0 });
  });

  it('computeQuality should count an over-merge of two persons against precision only', () => {
    // A and B glued together through the tablet: P1 holds 5 identifiers, C(5,2) = 10 predicted pairs,
    // of which 3 + 1 = 4 are right: precision 4/10, recall 4/4, F1 = 2*0.4*1/1.4 = 4/7. Same for events.
    const report = computeQuality(
      truth,
      clustering([
        ['user_id', 'ua', 'P1'],
        ['email', 'a@x.com', 'P1'],
        ['anonymous_id', 'da', 'P1'],
        ['email', 'b@x.com', 'P1'],
        ['user_id', 'ub', 'P1'],
        ['anonymous_id', 'tab', 'P1'],
        ['phone', '0000000000', 'P1'],
        ['phone', '+15550001111', 'P3'],
      ]),
    );
    for (const scores of [report.identifiers, report.events]) {
      expect(scores).toMatchObject({
        truePairs: 4,
        predictedPairs: 10,
        correctPairs: 4,
        precision: 0.4,
        recall: 1,
      });
      expect(scores.f1).toBeCloseTo(4 / 7, 12);
    }
    expect(report).toMatchObject({
      persons: 3,
      profiles: 2,
      overMergedProfiles: 1,
      splitPersons: 0,
      maxProfilesPerPerson: 1,
      junkResolved: 1,
    });
    expect(report.largestOverMerge).toEqual({ profileId: 'P1', persons: 2, identifiers: 5 });
  });

  it('computeQuality should count a split person against recall only and leave unresolved items alone', () => {
    // A split into {ua, a@x.com} (P1) and {da} (P4); C's phone not found.
    // Identifiers: predicted pairs 1 (P1) + 1 (P2) = 2, both right: precision 1, recall 2/4, F1 2/3.
    // Events: m1 -> P1 (ua); m2 and m3 -> P4 (da comes first in m3); m4, m5 -> P2; m6 unresolved:
    // predicted pairs 1 (P4) + 1 (P2) = 2, both right: precision 1, recall 2/4, F1 2/3.
    const report = computeQuality(
      truth,
      clustering([
        ['user_id', 'ua', 'P1'],
        ['email', 'a@x.com', 'P1'],
        ['anonymous_id', 'da', 'P4'],
        ['email', 'b@x.com', 'P2'],
        ['user_id', 'ub', 'P2'],
      ]),
    );
    for (const scores of [report.identifiers, report.events]) {
      expect(scores).toMatchObject({
        unresolved: 1,
        truePairs: 4,
        predictedPairs: 2,
        correctPairs: 2,
        precision: 1,
        recall: 0.5,
      });
      expect(scores.f1).toBeCloseTo(2 / 3, 12);
    }
    expect(report).toMatchObject({
      persons: 3,
      profiles: 3,
      overMergedProfiles: 0,
      largestOverMerge: null,
      splitPersons: 1,
      maxProfilesPerPerson: 2,
    });
  });

  it('computeQuality should treat a world with no pairs at all as perfect rather than divide by zero', () => {
    const single = [msg('Z', [id('email', 'z@x.com')])];
    const report = computeQuality(single, clustering([['email', 'z@x.com', 'P9']]));
    expect(report.identifiers).toMatchObject({
      precision: 1,
      recall: 1,
      f1: 1,
      truePairs: 0,
      predictedPairs: 0,
    });
  });
});
