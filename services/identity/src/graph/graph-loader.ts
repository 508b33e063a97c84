import type { Redis } from 'ioredis';
import { AppError } from '@tessera/contracts';
import { identifierSlot, uuidToBytes } from './graph-keys';
import type { GraphKeys } from './graph-keys';

export interface LoadedProfile {
  profileId: string;
  createdAtSeconds: number;
  counts: Record<string, number>;
  hashes: string[];
}

/**
 * Writes profiles (roots only: every identifier points straight at its profile), quarantine
 * markers and fan-in sets (concatenated 4-byte fingerprints, see fan-in-restore.ts) into an empty
 * graph, in the same encoding the scripts use. Pipelined in chunks, grouped by bucket, so a
 * million identifiers take a few hundred round trips.
 */
export async function loadGraph(
  redis: Redis,
  keys: GraphKeys,
  input: {
    profiles: Iterable<LoadedProfile>;
    quarantined: Iterable<string>;
    /** Fan-in sets: the 4-byte fingerprints of each value, concatenated, as a latin1 string. */
    fanIn?: Iterable<[hash: string, fingerprints: string]>;
    nowSeconds: number;
  },
): Promise<{ profiles: number; identifiers: number }> {
  const typeCodes = new Map<string, number>();
  const codeOf = (type: string): number => {
    let code = typeCodes.get(type);
    if (code === undefined) {
      code = typeCodes.size + 1;
      typeCodes.set(type, code);
    }
    return code;
  };
  let pipeline = redis.pipeline();
  let queued = 0;
  const flush = async (force: boolean) => {
    if (queued === 0 || (!force && queued < 2000)) return;
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed)
      throw new AppError('UPSTREAM_UNAVAILABLE', 'graph load failed', { retryable: true, cause: failed[0] });
    pipeline = redis.pipeline();
    queued = 0;
  };
  let id = 0;
  let identifiers = 0;
  for (const profile of input.profiles) {
    id += 1;
    const counts = Object.entries(profile.counts)
      .filter(([, n]) => n > 0)
      .map(([type, n]) => `${codeOf(type)}:${n}`)
      .sort()
      .join(';');
    const record = Buffer.concat([
      uuidToBytes(profile.profileId),
      Buffer.from(`r${profile.createdAtSeconds},${input.nowSeconds},${counts}`),
    ]);
    pipeline.hset(keys.profileKey(id % keys.buckets), String(id), record);
    queued += 1;
    for (const hash of profile.hashes) {
      const { bucket, field } = identifierSlot(keys, hash);
      pipeline.hset(keys.identifierKey(bucket), field, String(id));
      queued += 1;
      identifiers += 1;
    }
    await flush(false);
  }
  for (const hash of input.quarantined) {
    const { bucket, field } = identifierSlot(keys, hash);
    pipeline.hset(keys.quarantineKey(bucket), field, 'Q');
    queued += 1;
    await flush(false);
  }
  for (const [hash, fingerprints] of input.fanIn ?? []) {
    const { bucket, field } = identifierSlot(keys, hash);
    pipeline.hset(keys.quarantineKey(bucket), field, Buffer.from(fingerprints, 'latin1'));
    queued += 1;
    await flush(false);
  }
  const [seqKey, typesKey, , metaKey] = keys.scriptKeys;
  pipeline.set(seqKey, String(id));
  if (typeCodes.size > 0)
    pipeline.hset(typesKey, {
      ...Object.fromEntries([...typeCodes].map(([t, c]) => [t, String(c)])),
      '#': String(typeCodes.size),
    });
  pipeline.hset(metaKey, 'buckets', String(keys.buckets));
  queued += 3;
  await flush(true);
  return { profiles: id, identifiers };
}
