import { createOpenedValues } from './opened-values';

describe('createOpenedValues', () => {
  it('should answer with a stored value until its time to live has passed', () => {
    let t = 1_000;
    const cache = createOpenedValues({ maxEntries: 10, ttlMs: 500, now: () => t });
    cache.set('e1.a', 'ana@example.com');
    expect(cache.get('e1.a')).toEqual({ value: 'ana@example.com' });
    expect(cache.get('e1.b')).toBeUndefined();
    t += 499;
    expect(cache.get('e1.a')).toEqual({ value: 'ana@example.com' });
    t += 1;
    expect(cache.get('e1.a')).toBeUndefined();
  });

  it('should keep at most maxEntries values, evicting the oldest first', () => {
    const cache = createOpenedValues({ maxEntries: 2, ttlMs: 60_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual({ value: 2 });
    expect(cache.get('c')).toEqual({ value: 3 });
  });

  it('should keep nothing when turned off and forget everything when cleared', () => {
    const off = createOpenedValues({ maxEntries: 0, ttlMs: 60_000 });
    off.set('a', 1);
    expect(off.get('a')).toBeUndefined();
    const cache = createOpenedValues({ maxEntries: 5, ttlMs: 60_000 });
    cache.set('a', 1);
    cache.set('b', null);
    expect(cache.get('b')).toEqual({ value: null });
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
  });
});
