import type { Route, WorldMessage } from '../world/model';

/** One HTTP request: a single message, or several Segment calls in one /v1/batch. */
export interface SendUnit {
  route: Route;
  path: string;
  messages: WorldMessage[];
  body: unknown;
}

const SEGMENT_ROUTES: ReadonlySet<Route> = new Set(['web', 'app']);

/** The ingest path a message is sent to on its own. */
export function pathFor(message: WorldMessage): string {
  return SEGMENT_ROUTES.has(message.route) ? `/v1/${message.kind}` : `/v1/connectors/${message.route}`;
}

/**
 * Groups messages into requests, keeping the world's order: Segment calls of one source go
 * together through /v1/batch (up to `batchSize`, flushed when full or at the end); connector
 * payloads are one request each, as the vendors send them. Lazy, so a stream of any size works.
 */
export function* unitsOf(messages: Iterable<WorldMessage>, batchSize: number): Generator<SendUnit> {
  const pending = new Map<Route, WorldMessage[]>();
  const unitOf = (route: Route, batch: WorldMessage[]): SendUnit =>
    batch.length === 1
      ? { route, path: pathFor(batch[0]!), messages: batch, body: batch[0]!.body }
      : { route, path: '/v1/batch', messages: batch, body: { batch: batch.map((m) => m.body) } };
  for (const message of messages) {
    if (!SEGMENT_ROUTES.has(message.route) || batchSize <= 1) {
      yield { route: message.route, path: pathFor(message), messages: [message], body: message.body };
      continue;
    }
    const batch = pending.get(message.route) ?? [];
    batch.push(message);
    pending.set(message.route, batch);
    if (batch.length >= batchSize) {
      pending.delete(message.route);
      yield unitOf(message.route, batch);
    }
  }
  for (const [route, batch] of pending) yield unitOf(route, batch);
}

/** `unitsOf` collected into an array. */
export function planUnits(messages: Iterable<WorldMessage>, batchSize: number): SendUnit[] {
  return [...unitsOf(messages, batchSize)];
}
