/**
 * Union-find over string keys with path compression and union by a deterministic order (the
 * smaller key wins), so the representative of a set does not depend on the order of unions.
 * Used to recompute components (unmerge) and profile roots (rebuild) outside Redis.
 */
export class UnionFind {
  private readonly parent = new Map<string, string>();

  add(key: string): void {
    if (!this.parent.has(key)) this.parent.set(key, key);
  }

  find(key: string): string {
    this.add(key);
    let root = key;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    let node = key;
    while (node !== root) {
      const next = this.parent.get(node)!;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: string, b: string): string {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return ra;
    const [winner, loser] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent.set(loser, winner);
    return winner;
  }

  /** Every set as a sorted list of keys, sets ordered by their smallest key. */
  components(): string[][] {
    const sets = new Map<string, string[]>();
    for (const key of this.parent.keys()) {
      const root = this.find(key);
      const set = sets.get(root);
      if (set) set.push(key);
      else sets.set(root, [key]);
    }
    return [...sets.values()].map((s) => s.sort()).sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
  }
}

/**
 * Follows forwarding pointers (absorbed profile -> survivor) to the current profile, compressing
 * chains on the way. A cycle (impossible unless the data is corrupt) stops at the repeated node.
 */
export function createForwarding(next: ReadonlyMap<string, string>): (id: string) => string {
  const memo = new Map<string, string>();
  return (id) => {
    const path: string[] = [];
    const seen = new Set<string>();
    let current = id;
    while (!memo.has(current) && next.has(current) && !seen.has(current)) {
      seen.add(current);
      path.push(current);
      current = next.get(current)!;
    }
    const root = memo.get(current) ?? current;
    for (const node of path) memo.set(node, root);
    return root;
  };
}

/** A canonical form of a partition (for comparing components between runs). */
export function canonicalPartition(groups: Iterable<Iterable<string>>): string[][] {
  return [...groups]
    .map((g) => [...g].sort())
    .filter((g) => g.length > 0)
    .sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
}
