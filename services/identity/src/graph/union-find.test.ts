import fc from 'fast-check';
import { UnionFind, canonicalPartition, createForwarding } from './union-find';

/** Reference: components by repeated graph search over an adjacency list. */
function bfsComponents(nodes: string[], edges: Array<[string, string]>): string[][] {
  const adj = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const [a, b] of edges) {
    adj.get(a)!.push(b);
    adj.get(b)!.push(a);
  }
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const n of nodes) {
    if (seen.has(n)) continue;
    const comp: string[] = [];
    const queue = [n];
    seen.add(n);
    while (queue.length > 0) {
      const x = queue.pop()!;
      comp.push(x);
      for (const y of adj.get(x)!) {
        if (seen.has(y)) continue;
        seen.add(y);
        queue.push(y);
      }
    }
    out.push(comp);
  }
  return canonicalPartition(out);
}

const graphArb = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 })
  .chain((nodes) =>
    fc.tuple(
      fc.constant(nodes),
      fc.array(fc.tuple(fc.constantFrom(...nodes), fc.constantFrom(...nodes)), { maxLength: 40 }),
    ),
  );

describe('UnionFind', () => {
  it('should produce the same components as graph search for any edge set', () => {
    fc.assert(
      fc.property(graphArb, ([nodes, edges]) => {
        const uf = new UnionFind();
        nodes.forEach((n) => uf.add(n));
        edges.forEach(([a, b]) => uf.union(a, b));
        expect(canonicalPartition(uf.components())).toEqual(bfsComponents(nodes, edges));
      }),
    );
  });

  it('should pick the same representative whatever the order of unions', () => {
    fc.assert(
      fc.property(
        graphArb.chain(([nodes, edges]) =>
          fc.tuple(
            fc.constant(nodes),
            fc.constant(edges),
            fc.shuffledSubarray(edges, { minLength: edges.length }),
          ),
        ),
        ([nodes, edges, shuffled]) => {
          const a = new UnionFind();
          const b = new UnionFind();
          nodes.forEach((n) => {
            a.add(n);
            b.add(n);
          });
          edges.forEach(([x, y]) => a.union(x, y));
          shuffled.forEach(([x, y]) => b.union(x, y));
          for (const n of nodes) expect(a.find(n)).toBe(b.find(n));
        },
      ),
    );
  });
});

describe('createForwarding', () => {
  it('should follow chains to their end and stop on cycles', () => {
    const follow = createForwarding(
      new Map([
        ['a', 'b'],
        ['b', 'c'],
        ['x', 'y'],
        ['y', 'x'],
      ]),
    );
    expect(follow('a')).toBe('c');
    expect(follow('b')).toBe('c');
    expect(follow('c')).toBe('c');
    expect(['x', 'y']).toContain(follow('x'));
  });
});
