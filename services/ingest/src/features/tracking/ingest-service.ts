import {
  AppError,
  type CanonicalEventV1,
  type ConsentSignal,
  type ErrorIssue,
  type IngestResponse,
  type SegmentMessage,
} from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import type { TypedProducer } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import { suppressionKeysOf, type SuppressionChecker } from '../privacy/suppression-list';
import type { SourceProfile } from '../sources/source-resolver';
import { canonicalize, type RequestFacts } from './canonicalize';
import type { Deduplicator } from './dedupe';
import type { IngestMetrics } from './ingest-metrics';
import type { RateLimiter } from './rate-limit';

export interface IngestServiceDeps {
  publisher: Pick<TypedProducer, 'publish'>;
  dedupe: Deduplicator;
  limiter: RateLimiter;
  suppression: SuppressionChecker;
  hasher: IdentifierHasher;
  metrics: IngestMetrics;
  logger: Logger;
}

export interface IngestOptions {
  /** Path prefix of each message in error details (`batch` for /v1/batch, none for single calls). */
  pathPrefix?: string | undefined;
  /** Skip the rate limiter (Kafka intake: the broker already absorbed the load). */
  unlimited?: boolean;
  /** Consent signals a connector read from the vendor payload, by message index. */
  consentSignals?: Array<ConsentSignal[] | undefined>;
}

/** Validated, canonical events ready to publish (the parts of `ingest` shared with intake and imports). */
export interface PreparedBatch {
  events: CanonicalEventV1[];
  warnings: ErrorIssue[];
}

export interface IngestService {
  /**
   * Validates and canonicalizes every message; any failure rejects the whole request with every
   * failing path (400). Then rate limit, suppression, deduplication, publish (acks=all), mark.
   * Resolves only after Kafka acknowledged every new event.
   */
  ingest(
    messages: SegmentMessage[],
    source: SourceProfile,
    facts: RequestFacts,
    opts?: IngestOptions,
  ): Promise<IngestResponse>;
  prepare(
    messages: SegmentMessage[],
    source: SourceProfile,
    facts: RequestFacts,
    pathPrefix?: string,
    consentSignals?: Array<ConsentSignal[] | undefined>,
  ): PreparedBatch | { issues: ErrorIssue[] };
  /**
   * Suppression, dedupe, publish and mark for events from `prepare` (only those: they are
   * published without the producer's schema re-parse, see canonicalize.test.ts).
   */
  deliver(
    events: CanonicalEventV1[],
    source: SourceProfile,
  ): Promise<{ accepted: number; duplicates: number; suppressed: number }>;
}

const prefixed = (pathPrefix: string | undefined, index: number, issues: ErrorIssue[]) =>
  issues.map((i) => ({
    path: pathPrefix === undefined ? i.path : `${pathPrefix}.${index}.${i.path}`,
    message: i.message,
  }));

/** Consent signals an event may carry (CanonicalEventV1's limit; connectors add theirs). */
const MAX_CONSENT_SIGNALS = 20;

export function createIngestService(deps: IngestServiceDeps): IngestService {
  const log = deps.logger.child({ module: 'ingest-service' });

  const prepare: IngestService['prepare'] = (messages, source, facts, pathPrefix, consentSignals) => {
    const events: CanonicalEventV1[] = [];
    const issues: ErrorIssue[] = [];
    const warnings: ErrorIssue[] = [];
    for (let i = 0; i < messages.length; i += 1) {
      const result = canonicalize(messages[i]!, source, facts);
      if (!result.ok) {
        issues.push(...prefixed(pathPrefix, i, result.issues));
        continue;
      }
      const extra = consentSignals?.[i];
      if (extra) result.event.consentSignals.push(...extra);
      if (result.event.consentSignals.length > MAX_CONSENT_SIGNALS) {
        issues.push(
          ...prefixed(pathPrefix, i, [
            { path: 'context', message: `an event may carry at most ${MAX_CONSENT_SIGNALS} consent signals` },
          ]),
        );
        continue;
      }
      events.push(result.event);
      if (result.warnings.length > 0) warnings.push(...prefixed(pathPrefix, i, result.warnings));
    }
    return issues.length > 0 ? { issues } : { events, warnings };
  };

  const deliver: IngestService['deliver'] = async (events, source) => {
    const memo = new Map<string, string>();
    const kept = events.filter(
      (e) => !deps.suppression.isSuppressed(suppressionKeysOf(e.identifiers, deps.hasher, memo)),
    );
    const suppressed = events.length - kept.length;
    if (suppressed > 0) deps.metrics.suppressed.inc({ channel: source.channel }, suppressed);

    // Within one request the first occurrence of a messageId wins.
    const unique = new Map<string, CanonicalEventV1>();
    for (const e of kept) if (!unique.has(e.messageId)) unique.set(e.messageId, e);
    let seen: Set<string>;
    try {
      seen = await deps.dedupe.seen(source.id, [...unique.keys()]);
    } catch (err) {
      throw new AppError('UPSTREAM_UNAVAILABLE', 'deduplication store unavailable', {
        statusCode: 503,
        retryable: true,
        cause: err,
        headers: { 'retry-after': '1' },
      });
    }
    const fresh: CanonicalEventV1[] = [];
    for (const e of unique.values()) if (!seen.has(e.messageId)) fresh.push(e);
    const duplicates = kept.length - fresh.length;
    if (duplicates > 0) deps.metrics.duplicates.inc({ channel: source.channel }, duplicates);

    if (fresh.length > 0) {
      try {
        // canonicalize builds every event to CanonicalEventV1 from schema-valid input (its output is
        // property-tested against the schema), so the producer does not parse each one again;
        // every consumer of the topic still validates what it reads.
        await deps.publisher.publish('eventsIngested', fresh, { prevalidated: true });
      } catch (err) {
        if (err instanceof AppError && !err.retryable && err.statusCode < 500) throw err;
        throw new AppError(
          'UPSTREAM_UNAVAILABLE',
          'event log unavailable; nothing from this request was accepted, retry it',
          {
            statusCode: 503,
            retryable: true,
            cause: err,
            headers: { 'retry-after': '1' },
          },
        );
      }
      countAccepted(fresh);
      try {
        await deps.dedupe.mark(
          source.id,
          fresh.map((e) => e.messageId),
        );
      } catch (err) {
        // Accepted and durable in Kafka; a missing mark only lets a retry through as a duplicate.
        log.warn(
          { err, sourceId: source.id, events: fresh.length },
          'could not record message ids for deduplication',
        );
      }
    }
    return { accepted: fresh.length, duplicates, suppressed };
  };

  // One counter update per (channel, type) in the request rather than per event.
  const countAccepted = (events: CanonicalEventV1[]) => {
    const counts = new Map<string, { channel: string; type: string; n: number }>();
    for (const e of events) {
      const k = `${e.channel}\u0000${e.type}`;
      const c = counts.get(k);
      if (c) c.n += 1;
      else counts.set(k, { channel: e.channel, type: e.type, n: 1 });
    }
    for (const { channel, type, n } of counts.values()) deps.metrics.accepted.inc({ channel, type }, n);
  };

  return {
    prepare,
    deliver,
    async ingest(messages, source, facts, opts = {}) {
      const prepared = prepare(messages, source, facts, opts.pathPrefix, opts.consentSignals);
      if ('issues' in prepared) {
        deps.metrics.rejected.inc({ reason: 'validation' }, messages.length);
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: prepared.issues,
        });
      }
      if (!opts.unlimited) {
        const decision = await deps.limiter
          .take(source.id, messages.length, source.rateLimitPerSecond)
          .catch((err: unknown) => {
            throw new AppError('UPSTREAM_UNAVAILABLE', 'rate limiter unavailable', {
              statusCode: 503,
              retryable: true,
              cause: err,
              headers: { 'retry-after': '1' },
            });
          });
        if (!decision.allowed) {
          deps.metrics.rejected.inc({ reason: 'rate_limited' }, messages.length);
          throw new AppError(
            'RATE_LIMITED',
            `source ${source.id} exceeded ${source.rateLimitPerSecond} events per second`,
            {
              statusCode: 429,
              headers: { 'retry-after': String(decision.retryAfterSeconds) },
            },
          );
        }
      }
      if (prepared.warnings.length > 0)
        deps.metrics.identifierWarnings.inc({ channel: source.channel }, prepared.warnings.length);
      const { duplicates } = await deliver(prepared.events, source);
      // Suppressed events count as accepted to the sender: erasure must not be observable.
      const response: IngestResponse = {
        success: true,
        accepted: prepared.events.length - duplicates,
        duplicates,
      };
      if (prepared.warnings.length > 0) response.warnings = prepared.warnings;
      return response;
    },
  };
}
