import {
  AppError,
  SegmentMessageSchema,
  type CanonicalEventV1,
  type SegmentMessageInput,
} from '@tessera/contracts';
import { createIdentifierHasher } from '@tessera/crypto';
import { createLogger, createMetricsRegistry } from '@tessera/observability';
import { createStaticSuppressionChecker, suppressionKeysOf } from '../privacy/suppression-list';
import { webSource } from '../../test-support/sources';
import type { Deduplicator } from './dedupe';
import { createIngestMetrics } from './ingest-metrics';
import { createIngestService } from './ingest-service';
import type { RateLimiter } from './rate-limit';

const hasher = createIdentifierHasher('k'.repeat(32));
const source = webSource;
const facts = { receivedAt: new Date('2026-03-01T12:00:00.000Z'), gpcHeader: false };

function memoryDedupe(): Deduplicator & { marked: Set<string> } {
  const marked = new Set<string>();
  return {
    marked,
    seen: async (s, ids) => new Set(ids.filter((id) => marked.has(`${s}:${id}`))),
    mark: async (s, ids) => void ids.forEach((id) => marked.add(`${s}:${id}`)),
  };
}

function setup(opts: { limiter?: RateLimiter; suppressed?: string[]; fail?: boolean } = {}) {
  const published: CanonicalEventV1[] = [];
  const dedupe = memoryDedupe();
  const service = createIngestService({
    publisher: {
      publish: async (_topic, messages) => {
        if (opts.fail) throw new Error('broker down');
        published.push(...(messages as CanonicalEventV1[]));
      },
    },
    dedupe,
    limiter: opts.limiter ?? { take: async () => ({ allowed: true }) },
    suppression: createStaticSuppressionChecker(opts.suppressed),
    hasher,
    metrics: createIngestMetrics(createMetricsRegistry({ service: 'ingest-test', collectDefault: false })),
    logger: createLogger({ name: 'ingest-test', level: 'silent' }),
  });
  return { service, published, dedupe };
}

const msg = (m: SegmentMessageInput) => SegmentMessageSchema.parse(m);

describe('IngestService', () => {
  it('ingest should publish canonical events and skip duplicates by (source, messageId)', async () => {
    const { service, published } = setup();
    const m = msg({
      type: 'identify',
      messageId: 'm1',
      userId: 'u1',
      traits: { email: 'Ana@Example.com', phone: '415 555 2671' },
    });
    await expect(service.ingest([m, m], source, facts)).resolves.toEqual({
      success: true,
      accepted: 1,
      duplicates: 1,
    });
    await expect(service.ingest([m], source, facts)).resolves.toEqual({
      success: true,
      accepted: 0,
      duplicates: 1,
    });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      messageId: 'm1',
      sourceId: 'web-1',
      channel: 'web',
      type: 'identify',
      identifiers: [
        { type: 'user_id', value: 'u1' },
        { type: 'email', value: 'ana@example.com', raw: 'Ana@Example.com' },
        { type: 'phone', value: '+14155552671', raw: '415 555 2671' },
      ],
    });
  });

  it('ingest should reject a whole batch with every failing path and publish nothing', async () => {
    const { service, published } = setup();
    const good = msg({ type: 'track', event: 'Viewed', userId: 'u1' });
    const bad = msg({ type: 'track', event: 'Viewed', traits: {} });
    const err = await service
      .ingest([good, bad], source, facts, { pathPrefix: 'batch' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).statusCode).toBe(400);
    expect((err as AppError).details).toEqual([expect.objectContaining({ path: 'batch.1.userId' })]);
    expect(published).toHaveLength(0);
  });

  it('ingest should accept an event with an invalid email as a warning when another identifier remains', async () => {
    const { service, published } = setup();
    const res = await service.ingest(
      [msg({ type: 'identify', userId: 'u1', traits: { email: 'nope' } })],
      source,
      facts,
    );
    expect(res.warnings).toEqual([{ path: 'traits.email', message: expect.any(String) }]);
    expect(published[0]!.traits).toEqual({ email: 'nope' });
  });

  it('ingest should carry GPC as a sale_sharing denial', async () => {
    const { service, published } = setup();
    await service.ingest([msg({ type: 'page', anonymousId: 'a1', context: { gpc: true } })], source, facts);
    await service.ingest([msg({ type: 'page', anonymousId: 'a2' })], source, { ...facts, gpcHeader: true });
    for (const e of published) {
      expect(e.gpc).toBe(true);
      expect(e.consentSignals).toEqual([{ purpose: 'sale_sharing', status: 'denied', reason: 'gpc' }]);
    }
  });

  it('ingest should drop suppressed subjects silently and report them accepted', async () => {
    const [key] = suppressionKeysOf([{ type: 'email', value: 'gone@example.com' }], hasher);
    const { service, published } = setup({ suppressed: [key!] });
    const res = await service.ingest(
      [msg({ type: 'identify', anonymousId: 'x', traits: { email: 'GONE@example.com' } })],
      source,
      facts,
    );
    expect(res).toEqual({ success: true, accepted: 1, duplicates: 0 });
    expect(published).toHaveLength(0);
  });

  it('ingest should drop every event of a suppressed subject in a batch and keep the others', async () => {
    const [key] = suppressionKeysOf([{ type: 'email', value: 'gone@example.com' }], hasher);
    const { service, published } = setup({ suppressed: [key!] });
    const gone = { type: 'identify', traits: { email: 'gone@example.com' } } as const;
    const res = await service.ingest(
      [
        msg({ ...gone, anonymousId: 'a1' }),
        msg({ type: 'track', event: 'E', anonymousId: 'a2' }),
        msg({ ...gone, anonymousId: 'a3' }),
      ],
      source,
      facts,
    );
    expect(res).toEqual({ success: true, accepted: 3, duplicates: 0 });
    expect(published.map((e) => e.anonymousId)).toEqual(['a2']);
  });

  it('ingest should answer 429 with Retry-After when the limiter refuses', async () => {
    const { service } = setup({ limiter: { take: async () => ({ allowed: false, retryAfterSeconds: 1 }) } });
    await expect(
      service.ingest([msg({ type: 'track', event: 'E', userId: 'u' })], source, facts),
    ).rejects.toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMITED',
      headers: { 'retry-after': '1' },
    });
  });

  it('ingest should answer 503 and mark nothing when the publish fails', async () => {
    const { service, dedupe } = setup({ fail: true });
    await expect(
      service.ingest([msg({ type: 'track', messageId: 'x1', event: 'E', userId: 'u' })], source, facts),
    ).rejects.toMatchObject({
      statusCode: 503,
      retryable: true,
    });
    expect(dedupe.marked.size).toBe(0);
  });

  it('ingest should refuse call types the source does not allow', async () => {
    const { service } = setup();
    const limited = { ...source, allowedEventTypes: new Set(['track'] as const) };
    await expect(service.ingest([msg({ type: 'page', userId: 'u' })], limited, facts)).rejects.toMatchObject({
      statusCode: 400,
      details: [{ path: 'type', message: expect.stringContaining('does not accept page') }],
    });
  });
});
