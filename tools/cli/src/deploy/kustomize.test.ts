import { splitImage, strategicMerge } from './kustomize';
import type { Json } from './yaml-values';

describe('strategicMerge', () => {
  it('strategicMerge should merge mappings recursively and replace scalars', () => {
    expect(strategicMerge({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 20 }, e: 5 })).toEqual({ a: 1, b: { c: 20, d: 3 }, e: 5 });
  });

  it('strategicMerge should merge named lists item by item, appending new names', () => {
    const base: Json = { containers: [{ name: 'app', image: 'a:1', env: [{ name: 'X', value: '1' }] }] };
    const patch: Json = { containers: [{ name: 'app', env: [{ name: 'Y', value: '2' }] }, { name: 'sidecar', image: 's' }] };
    expect(strategicMerge(base, patch)).toEqual({
      containers: [
        { name: 'app', image: 'a:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] },
        { name: 'sidecar', image: 's' },
      ],
    });
  });

  it('strategicMerge should replace unnamed lists and delete keys patched to null', () => {
    expect(strategicMerge({ args: ['a', 'b'], keep: 1, drop: 2 }, { args: ['c'], drop: null })).toEqual({
      args: ['c'],
      keep: 1,
    });
  });
});

describe('splitImage', () => {
  it.each([
    ['tessera/ingest:0.1.0', ['tessera/ingest', '0.1.0']],
    ['tessera/ingest', ['tessera/ingest', undefined]],
    ['registry:5000/tessera/ingest', ['registry:5000/tessera/ingest', undefined]],
    ['registry:5000/tessera/ingest:dev', ['registry:5000/tessera/ingest', 'dev']],
  ])('splitImage should split %s into name and tag', (image, expected) => {
    expect(splitImage(image)).toEqual(expected);
  });
});
