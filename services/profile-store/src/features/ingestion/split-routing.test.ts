import { resolvedEvent } from '../../test-support/fixtures';
import { splitTarget, type AppliedSplit } from './split-routing';

const at = (iso: string) => Date.parse(iso);
const eventOf = (profileId: string, resolvedAt: string, hashes: string[]) => ({
  ...resolvedEvent({ profileId }),
  identifierHashes: hashes.map((h) => ({ type: 'email', hash: h })),
  resolvedAt,
});
const split = (profileId: string, when: string, targets: Record<string, string[]>): AppliedSplit => ({
  profileId,
  at: at(when),
  targets: Object.entries(targets).map(([id, hashes]) => ({
    profileId: id,
    keys: new Set(hashes.map((h) => `email:${h}`)),
  })),
});
const same = (id: string) => id;

describe('splitTarget', () => {
  const splits = [split('p', '2026-04-10T00:00:00.000Z', { q: ['hq'], r: ['hr', 'hq2'] })];

  it('should send an event resolved before the split to the first component owning one of its identifiers', () => {
    const e = eventOf('p', '2026-04-09T00:00:00.000Z', ['hr', 'hq']);
    expect(splitTarget(e, 'p', Number.NEGATIVE_INFINITY, splits, same)).toEqual({
      profileId: 'q',
      at: at('2026-04-10T00:00:00.000Z'),
    });
  });

  it('should leave events resolved after the split, or owning none of the moved identifiers, where they are', () => {
    expect(
      splitTarget(eventOf('p', '2026-04-10T00:00:00.001Z', ['hq']), 'p', -Infinity, splits, same),
    ).toBeUndefined();
    expect(
      splitTarget(eventOf('p', '2026-04-09T00:00:00.000Z', ['hp']), 'p', -Infinity, splits, same),
    ).toBeUndefined();
  });

  it('should only apply splits of the profile the event now sits on, and only those after the last move', () => {
    const e = eventOf('a', '2026-04-01T00:00:00.000Z', ['hq']);
    // a was absorbed into p before the split: its root is p, so the split applies.
    expect(splitTarget(e, 'p', -Infinity, splits, (id) => (id === 'a' ? 'p' : id))?.profileId).toBe('q');
    expect(splitTarget(e, 'x', -Infinity, splits, same)).toBeUndefined();
    const chain = [...splits, split('q', '2026-04-05T00:00:00.000Z', { s: ['hq'] })];
    // q's own split happened before the event reached q (moved there on 04-10): it does not apply.
    expect(splitTarget(e, 'q', at('2026-04-10T00:00:00.000Z'), chain, same)).toBeUndefined();
    const later = [...splits, split('q', '2026-04-20T00:00:00.000Z', { s: ['hq'] })];
    expect(splitTarget(e, 'q', at('2026-04-10T00:00:00.000Z'), later, same)?.profileId).toBe('s');
  });
});
