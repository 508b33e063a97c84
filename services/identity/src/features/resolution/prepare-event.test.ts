import fc from 'fast-check';
import { compileRules, defaultIdentityRules } from '../../rules/identity-rules';
import { testEvent, testHasher } from '../../test-support/fixtures';
import { prepareEvent } from './prepare-event';

const rules = compileRules(defaultIdentityRules);
const prepare = (
  ids: Array<[string, string]>,
  candidates: Parameters<typeof prepareEvent>[0]['candidates'] = [],
) =>
  prepareEvent({
    event: testEvent(ids),
    rules,
    hasher: testHasher,
    candidates,
    candidateProfileId: '01900000-0000-7000-8000-000000000000',
  });

describe('prepareEvent', () => {
  it('should sort identifiers by priority and keep hashes in event order', () => {
    const p = prepare([
      ['anonymous_id', 'a1'],
      ['email', 'ada@lovelace.org'],
      ['user_id', 'u1'],
    ]);
    expect(p.graphInput.identifiers.map((i) => i.type)).toEqual(['user_id', 'email', 'anonymous_id']);
    expect(p.identifierHashes.map((h) => h.type)).toEqual(['anonymous_id', 'email', 'user_id']);
    expect(p.identifierHashes[0]!.hash).toBe(testHasher('anonymous_id', 'a1'));
  });

  it('should hash the match key when there is one', () => {
    const event = testEvent([{ type: 'email', value: 'a.b+x@gmail.com', matchKey: 'ab@gmail.com' }]);
    const p = prepareEvent({
      event,
      rules,
      hasher: testHasher,
      candidates: [],
      candidateProfileId: '01900000-0000-7000-8000-000000000000',
    });
    expect(p.graphInput.identifiers[0]!.hash).toBe(testHasher('email', 'ab@gmail.com'));
  });

  it('should refuse blocklisted values before the graph sees them', () => {
    const p = prepare([
      ['phone', '0000000000'],
      ['email', 'ada@lovelace.org'],
    ]);
    expect(p.graphInput.identifiers.map((i) => i.type)).toEqual(['email']);
    expect(p.decisions).toEqual([
      expect.objectContaining({ outcome: 'refused_blocklist', rule: 'blocklist:phone' }),
    ]);
  });

  it('should give quarantinable identifiers the fingerprints of the strong identifiers beside them', () => {
    const p = prepare([
      ['phone', '+14155550123'],
      ['email', 'ada@lovelace.org'],
      ['user_id', 'u1'],
    ]);
    const phone = p.graphInput.identifiers.find((i) => i.type === 'phone')!;
    expect(phone.quarantineMax).toBe(3);
    expect(phone.fingerprints.length).toBe(8);
    expect(p.graphInput.identifiers.find((i) => i.type === 'user_id')!.quarantineMax).toBe(0);
  });

  it('should append candidates above the minimum score as link-only identifiers', () => {
    const p = prepare(
      [['email', 'ada@lovelace.org']],
      [
        {
          identifier: { type: 'user_id', hash: testHasher('user_id', 'u9') },
          score: 0.95,
          reason: 'name+dob',
        },
        { identifier: { type: 'user_id', hash: testHasher('user_id', 'u8') }, score: 0.2, reason: 'name' },
      ],
    );
    expect(p.graphInput.identifiers.map((i) => i.linkRule)).toEqual(['', 'candidate:name+dob']);
  });

  it('should send every distinct identifier exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('email', 'user_id', 'anonymous_id', 'phone', 'crm_id'),
            fc.stringMatching(/^[a-z0-9]{4,8}$/),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (ids) => {
          const p = prepare(ids);
          const hashes = p.graphInput.identifiers.map((i) => i.hash);
          expect(new Set(hashes).size).toBe(hashes.length);
          const expected = new Set(
            ids.filter(([t, v]) => rules.blocklistedBy(t, v) === undefined).map(([t, v]) => testHasher(t, v)),
          );
          expect(new Set(hashes)).toEqual(expected);
        },
      ),
    );
  });
});
