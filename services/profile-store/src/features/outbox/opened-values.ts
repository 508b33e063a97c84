/**
 * Personal golden values already opened, by their sealed form, for building change-feed messages.
 * Every `upsert` carries the whole golden record in clear, so without this each event of a known
 * customer decrypted all of their personal traits again (two AES-GCM opens per value), the largest
 * cost of ingesting a returning customer's page view.
 *
 * Bounded: at most `maxEntries` values, each kept at most `ttlMs`, oldest evicted first; sealed
 * forms are unique per encryption, so an entry can never answer for another value, and a value
 * whose row was erased or re-encrypted is simply never asked for again. The feed itself carries
 * these values in clear (outbox rows, the compacted topic), so the cache adds no new place they
 * are readable outside the process; erasures clear it (see the privacy-commands consumer).
 * `maxEntries: 0` turns it off.
 */
export interface OpenedValues {
  get(sealed: string): { value: unknown } | undefined;
  set(sealed: string, value: unknown): void;
  clear(): void;
}

export function createOpenedValues(opts: {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}): OpenedValues {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    get(sealed) {
      const entry = entries.get(sealed);
      if (!entry) return undefined;
      if (entry.expires <= now()) {
        entries.delete(sealed);
        return undefined;
      }
      return { value: entry.value };
    },
    set(sealed, value) {
      if (opts.maxEntries <= 0) return;
      entries.delete(sealed);
      entries.set(sealed, { value, expires: now() + opts.ttlMs });
      // Map iteration is insertion order: the first key is the oldest.
      while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value!);
    },
    clear() {
      entries.clear();
    },
  };
}
