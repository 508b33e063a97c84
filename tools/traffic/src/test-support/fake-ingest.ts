import Fastify, { type FastifyInstance } from 'fastify';
import type { FetchLike } from '../platform/platform-client';

export interface FakeIngest {
  app: FastifyInstance;
  /** Message ids received with a 2xx, in arrival order. */
  accepted: string[];
  /** Arrival time (ms) of every request. */
  arrivals: number[];
  maxInFlight: number;
  /** Fetch that goes through fastify's inject (no sockets). */
  fetch: FetchLike;
}

export interface FakeIngestOptions {
  writeKey: string;
  /** Message ids answered with 400 VALIDATION_FAILED (a batch containing one is rejected whole). */
  poison?: Set<string>;
  /** Answer this many requests with 429 before serving normally. */
  throttleFirst?: number;
  /** Answer this many requests with 503 (after the throttled ones). */
  failFirst?: number;
  /** Handler latency, so concurrency can be observed. */
  latencyMs?: number;
}

const idOf = (body: unknown): string => {
  if (Array.isArray(body)) return String((body[0] as { sg_message_id?: unknown })?.sg_message_id);
  const b = body as Record<string, unknown>;
  return String(b.messageId ?? b.eventId ?? b.transactionId ?? b.id);
};

/**
 * A stand-in for ingest's HTTP surface with the behaviours the sender must handle: Basic auth with
 * the write key, 400 with the platform's error body, 429 with Retry-After, 503.
 */
export function createFakeIngest(opts: FakeIngestOptions): FakeIngest {
  const app = Fastify({ logger: false });
  const fake: FakeIngest = {
    app,
    accepted: [],
    arrivals: [],
    maxInFlight: 0,
    fetch: undefined as unknown as FetchLike,
  };
  let inFlight = 0;
  let served = 0;
  const expectedAuth = `Basic ${Buffer.from(`${opts.writeKey}:`).toString('base64')}`;
  const handle = async (
    ids: string[],
    auth: string | undefined,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> => {
    fake.arrivals.push(performance.now());
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    try {
      if (opts.latencyMs) await new Promise((resolve) => setTimeout(resolve, opts.latencyMs));
      const n = served++;
      if (auth !== expectedAuth)
        return { status: 401, body: { code: 'UNAUTHENTICATED', message: 'unknown write key' } };
      if (n < (opts.throttleFirst ?? 0))
        return {
          status: 429,
          body: { code: 'RATE_LIMITED', message: 'slow down' },
          headers: { 'retry-after': '0' },
        };
      if (n < (opts.throttleFirst ?? 0) + (opts.failFirst ?? 0))
        return { status: 503, body: { code: 'UPSTREAM_UNAVAILABLE', message: 'kafka down' } };
      if (ids.some((id) => opts.poison?.has(id)))
        return {
          status: 400,
          body: {
            code: 'VALIDATION_FAILED',
            message: 'bad',
            details: [{ path: 'userId', message: 'required' }],
          },
        };
      const duplicates = ids.filter((id) => fake.accepted.includes(id)).length;
      fake.accepted.push(...ids.filter((id) => !fake.accepted.includes(id)));
      return { status: 200, body: { success: true, accepted: ids.length - duplicates, duplicates } };
    } finally {
      inFlight--;
    }
  };
  app.post('/v1/batch', async (req, reply) => {
    const ids = ((req.body as { batch: Array<{ messageId: string }> }).batch ?? []).map((m) => m.messageId);
    const r = await handle(ids, req.headers.authorization);
    return reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });
  app.post('/v1/connectors/:name', async (req, reply) => {
    const r = await handle([idOf(req.body)], req.headers.authorization);
    return reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });
  app.post('/v1/:type', async (req, reply) => {
    const r = await handle([idOf(req.body)], req.headers.authorization);
    return reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });
  fake.fetch = async (url, init) => {
    const res = await app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      headers: init?.headers ?? {},
      payload: init?.body ?? '',
    });
    return {
      status: res.statusCode,
      headers: { get: (name: string) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
      text: async () => res.body,
    };
  };
  return fake;
}
