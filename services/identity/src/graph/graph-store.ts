import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '@tessera/contracts';
import { bytesToUuid, graphKeys, identifierSlot, uuidToBytes } from './graph-keys';
import type { GraphKeys } from './graph-keys';
import { ERASE_SCRIPT, LOOKUP_SCRIPT, RESIDUE_SCRIPT, SPLIT_SCRIPT } from './maintenance-scripts';
import { RESOLVE_SCRIPT } from './resolve-script';

export interface GraphIdentifierInput {
  type: string;
  /** base64url identifier hash (HMAC). */
  hash: string;
  /** Quarantine threshold for this type; 0 disables fan-in tracking. */
  quarantineMax: number;
  /** Concatenated 4-byte fingerprints of the strong identifiers seen alongside. */
  fingerprints: Buffer;
  /** '' for the event's own identifiers; the rule name for a probabilistic candidate (link-only). */
  linkRule: string;
}

export interface GraphEventInput {
  eventId: string;
  /** Used when the event creates a profile. */
  candidateProfileId: string;
  /** Sorted by priority, highest first, no duplicate hashes. */
  identifiers: GraphIdentifierInput[];
}

export type GraphOutcomeKind = 'attached' | 'known' | 'merged' | 'refused_limit' | 'refused_quarantine';

export interface GraphDecision {
  index: number;
  outcome: GraphOutcomeKind;
  rule: string;
  detail: string;
}

export interface GraphMerge {
  survivorId: string;
  absorbedId: string;
  /** Index of the identifier (in the event input) that linked the absorbed profile. */
  index: number;
  rule: string;
}

export interface GraphOutcome {
  /** Undefined when nothing on the event could be linked. */
  profileId: string | undefined;
  isNew: boolean;
  decisions: GraphDecision[];
  merges: GraphMerge[];
  /** Indexes of identifiers this event pushed into quarantine. */
  quarantined: number[];
}

export interface SplitComponentInput {
  /** Undefined for the component that keeps the existing profile id. */
  newProfileId: string | undefined;
  counts: Record<string, number>;
  hashes: string[];
}

export interface GraphStore {
  readonly keys: GraphKeys;
  resolve(events: GraphEventInput[], limits: Record<string, number>, nowMs: number): Promise<GraphOutcome[]>;
  /** Forget the stored outcomes once they are durable and published. */
  acknowledge(eventIds: string[]): Promise<void>;
  lookup(hashes: string[]): Promise<Array<string | undefined>>;
  split(input: {
    profileId: string;
    components: SplitComponentInput[];
    quarantineHash: string;
    nowMs: number;
  }): Promise<void>;
  erase(hashes: string[]): Promise<number>;
  residue(hashes: string[]): Promise<number>;
  /** Delete every key of this graph (SCAN + UNLINK). */
  flush(): Promise<number>;
}

interface Script {
  source: string;
  sha: string;
}
const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const scripts = {
  resolve: script(RESOLVE_SCRIPT),
  lookup: script(LOOKUP_SCRIPT),
  split: script(SPLIT_SCRIPT),
  erase: script(ERASE_SCRIPT),
  residue: script(RESIDUE_SCRIPT),
};

const OUTCOMES = new Set<string>(['attached', 'known', 'merged', 'refused_limit', 'refused_quarantine']);

const str = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(str(v)));
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function parseOutcome(raw: unknown): GraphOutcome {
  const [uuid, isNew, decisions, merges, quarantined] = list(raw);
  const uuidBytes = Buffer.isBuffer(uuid) ? uuid : Buffer.from(str(uuid ?? ''), 'latin1');
  const d = list(decisions);
  const m = list(merges);
  const out: GraphOutcome = {
    profileId: uuidBytes.length === 16 ? bytesToUuid(uuidBytes) : undefined,
    isNew: num(isNew) === 1,
    decisions: [],
    merges: [],
    quarantined: list(quarantined).map((k) => num(k) - 1),
  };
  for (let i = 0; i + 3 < d.length; i += 4) {
    const outcome = str(d[i + 1]);
    if (!OUTCOMES.has(outcome)) throw new Error(`graph script returned unknown outcome ${outcome}`);
    out.decisions.push({
      index: num(d[i]) - 1,
      outcome: outcome as GraphOutcomeKind,
      rule: str(d[i + 2]),
      detail: str(d[i + 3]),
    });
  }
  for (let i = 0; i + 3 < m.length; i += 4) {
    out.merges.push({
      survivorId: bytesToUuid(m[i] as Buffer),
      absorbedId: bytesToUuid(m[i + 1] as Buffer),
      index: num(m[i + 2]) - 1,
      rule: str(m[i + 3]),
    });
  }
  return out;
}

/** Redis errors become AppErrors: unreachable Redis is retryable, a refused script is not. */
function toAppError(err: unknown): AppError {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('CONFLICT'))
    return new AppError('CONFLICT', message, { statusCode: 409, cause: err });
  if (message.startsWith('NOT_FOUND'))
    return new AppError('PROFILE_NOT_FOUND', message, { statusCode: 404, cause: err });
  // A misconfigured bucket count never heals by itself, but dead-lettering events would lose them:
  // keep retrying (and logging) until an operator fixes the config or rebuilds.
  if (message.startsWith('GRAPH_BUCKETS_MISMATCH'))
    return new AppError('INTERNAL', message, { retryable: true, cause: err });
  return new AppError('UPSTREAM_UNAVAILABLE', 'identity graph (Redis) unavailable', {
    retryable: true,
    statusCode: 503,
    cause: err,
  });
}

export function createGraphStore(deps: {
  redis: Redis;
  keyPrefix: string;
  graphName: string;
  buckets: number;
}): GraphStore {
  const { redis } = deps;
  const keys = graphKeys(deps);

  async function run(s: Script, args: Array<string | Buffer | number>): Promise<unknown> {
    const tail = [4, ...keys.scriptKeys, keys.base, keys.buckets, ...args];
    try {
      try {
        return await redis.callBuffer('EVALSHA', [s.sha, ...tail]);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return await redis.callBuffer('EVAL', [s.source, ...tail]);
      }
    } catch (err) {
      throw toAppError(err);
    }
  }

  const pairs = (hashes: string[]): Array<string | Buffer> =>
    hashes.flatMap((h) => {
      const { bucket, field } = identifierSlot(keys, h);
      return [String(bucket), field];
    });

  return {
    keys,
    async resolve(events, limits, nowMs) {
      if (events.length === 0) return [];
      const args: Array<string | Buffer | number> = [
        JSON.stringify(limits),
        Math.floor(nowMs / 1000),
        events.length,
      ];
      for (const event of events) {
        args.push(event.eventId, uuidToBytes(event.candidateProfileId), event.identifiers.length);
        for (const id of event.identifiers) {
          const { bucket, field } = identifierSlot(keys, id.hash);
          args.push(id.type, String(bucket), field, id.quarantineMax, id.fingerprints, id.linkRule);
        }
      }
      const reply = list(await run(scripts.resolve, args));
      return reply.map(parseOutcome);
    },
    async acknowledge(eventIds) {
      if (eventIds.length === 0) return;
      try {
        await redis.hdel(keys.scriptKeys[2], ...eventIds);
      } catch (err) {
        throw toAppError(err);
      }
    },
    async lookup(hashes) {
      if (hashes.length === 0) return [];
      const reply = list(await run(scripts.lookup, pairs(hashes)));
      return reply.map((v) => (Buffer.isBuffer(v) && v.length === 16 ? bytesToUuid(v) : undefined));
    },
    async split(input) {
      const args: Array<string | Buffer | number> = [
        Math.floor(input.nowMs / 1000),
        uuidToBytes(input.profileId),
        input.components.length,
      ];
      for (const c of input.components) {
        const counts = Object.entries(c.counts)
          .map(([t, n]) => `${t}:${n}`)
          .join(';');
        args.push(
          c.newProfileId === undefined ? '' : uuidToBytes(c.newProfileId),
          counts,
          c.hashes.length,
          ...pairs(c.hashes),
        );
      }
      args.push(...pairs([input.quarantineHash]));
      await run(scripts.split, args);
    },
    async erase(hashes) {
      if (hashes.length === 0) return 0;
      return num(await run(scripts.erase, pairs(hashes)));
    },
    async residue(hashes) {
      if (hashes.length === 0) return 0;
      return num(await run(scripts.residue, pairs(hashes)));
    },
    async flush() {
      let cursor = '0';
      let removed = 0;
      // The braces in the pattern are literal; escape them so SCAN's glob does not treat them specially.
      const pattern = `${keys.base.replace(/([*?[\]\\])/g, '\\$1')}:*`;
      try {
        do {
          const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (found.length > 0) removed += await redis.unlink(...found);
        } while (cursor !== '0');
      } catch (err) {
        throw toAppError(err);
      }
      return removed;
    },
  };
}
