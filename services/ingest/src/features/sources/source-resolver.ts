import { AppError, type Channel, type EventType, type Source } from '@tessera/contracts';
import { isRegion, type Region } from '@tessera/identifiers';
import type { SourceStore } from './source-store';

/** What the tracking path needs to know about a source. */
export interface SourceProfile {
  id: string;
  channel: Channel;
  defaultRegion: Region | undefined;
  allowedEventTypes: ReadonlySet<EventType> | undefined;
  rateLimitPerSecond: number;
  registered: boolean;
}

export interface SourceResolverOptions {
  store: Pick<SourceStore, 'get'>;
  cacheMs: number;
  allowUnregistered: boolean;
  defaults: { channel: Channel; region: Region | undefined; rateLimitPerSecond: number };
  now?: () => number;
}

export interface SourceResolver {
  /** The source behind a write key; 403 when it is disabled or (if so configured) unknown. */
  resolve(sourceId: string): Promise<SourceProfile>;
  /** Drops a cached row (after this process changed the source). */
  invalidate(sourceId: string): void;
}

/**
 * Resolves sources with a short cache so the hot path makes no database round trip per request.
 * Concurrent misses for one source share a single query.
 */
export function createSourceResolver(opts: SourceResolverOptions): SourceResolver {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; source: Source | undefined }>();
  const inflight = new Map<string, Promise<Source | undefined>>();

  const load = async (id: string): Promise<Source | undefined> => {
    const hit = cache.get(id);
    if (hit && now() - hit.at < opts.cacheMs) return hit.source;
    let pending = inflight.get(id);
    if (!pending) {
      pending = opts.store.get(id).finally(() => inflight.delete(id));
      inflight.set(id, pending);
    }
    const source = await pending;
    cache.set(id, { at: now(), source });
    return source;
  };

  return {
    invalidate(sourceId) {
      cache.delete(sourceId);
    },
    async resolve(sourceId) {
      const source = await load(sourceId);
      if (!source) {
        if (!opts.allowUnregistered) {
          throw new AppError('FORBIDDEN', `source ${sourceId} is not registered`, { statusCode: 403 });
        }
        return {
          id: sourceId,
          channel: opts.defaults.channel,
          defaultRegion: opts.defaults.region,
          allowedEventTypes: undefined,
          rateLimitPerSecond: opts.defaults.rateLimitPerSecond,
          registered: false,
        };
      }
      if (source.disabledAt !== null)
        throw new AppError('FORBIDDEN', `source ${sourceId} is disabled`, { statusCode: 403 });
      return {
        id: source.id,
        channel: source.channel,
        defaultRegion:
          source.defaultRegion !== null && isRegion(source.defaultRegion)
            ? source.defaultRegion
            : opts.defaults.region,
        allowedEventTypes: source.allowedEventTypes ? new Set(source.allowedEventTypes) : undefined,
        rateLimitPerSecond: source.rateLimitPerSecond ?? opts.defaults.rateLimitPerSecond,
        registered: true,
      };
    },
  };
}
