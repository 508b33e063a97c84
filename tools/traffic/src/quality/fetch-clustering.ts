import type { PlatformClient } from '../platform/platform-client';
import { mapConcurrent } from '../util/map-concurrent';
import type { TruthRecord } from '../world/model';
import { identifierKey, type Clustering } from './compute-quality';

/** Every distinct identifier the truth mentions (shared and junk included), as `{ type, value }`. */
export function distinctIdentifiers(truth: readonly TruthRecord[]): Array<{ type: string; value: string }> {
  const seen = new Map<string, { type: string; value: string }>();
  for (const record of truth)
    for (const id of record.identifiers)
      seen.set(identifierKey(id.type, id.value), { type: id.type, value: id.value });
  return [...seen.values()];
}

/** Asks the profile API where each identifier of the truth lives now. */
export async function fetchClustering(
  client: Pick<PlatformClient, 'lookup'>,
  truth: readonly TruthRecord[],
  opts: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Clustering> {
  const identifiers = distinctIdentifiers(truth);
  let done = 0;
  const profiles = await mapConcurrent(identifiers, opts.concurrency ?? 16, async ({ type, value }) => {
    const profileId = await client.lookup(type, value);
    opts.onProgress?.(++done, identifiers.length);
    return profileId;
  });
  const clustering = new Map<string, string>();
  identifiers.forEach(({ type, value }, i) => {
    const profileId = profiles[i];
    if (profileId !== undefined) clustering.set(identifierKey(type, value), profileId);
  });
  return clustering;
}
