import {
  authenticate,
  authenticateToken,
  requireScope,
  type KeyDirectory,
  type VerifiedKey,
} from '@tessera/access';
import { AppError } from '@tessera/contracts';
import type { FastifyRequest } from 'fastify';
import type { SourceProfile, SourceResolver } from '../sources/source-resolver';

const keysOfRequests = new WeakMap<FastifyRequest, VerifiedKey>();
const sourcesOfRequests = new WeakMap<FastifyRequest, SourceProfile>();

/**
 * onRequest: a request with an Authorization header (Basic with the write key as username, or
 * Bearer) is authenticated before its body is read, so bad keys never cost a body parse.
 */
export function authenticateHeader(keys: KeyDirectory) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header !== undefined) keysOfRequests.set(request, authenticate(keys, header, { basic: true }));
  };
}

/**
 * preHandler: falls back to a `writeKey` in the body (older Segment SDKs), requires
 * `ingest:write` and a source binding, and resolves the source.
 */
export function authorizeSource(keys: KeyDirectory, sources: SourceResolver) {
  return async (request: FastifyRequest): Promise<void> => {
    let key = keysOfRequests.get(request);
    if (!key) {
      const body = request.body;
      const writeKey =
        typeof body === 'object' && body !== null && 'writeKey' in body
          ? (body as { writeKey: unknown }).writeKey
          : undefined;
      key =
        typeof writeKey === 'string' && writeKey.length > 0
          ? authenticateToken(keys, writeKey, { basic: true })
          : authenticate(keys, undefined, { basic: true });
    }
    requireScope(key, 'ingest:write');
    if (key.sourceId === undefined) {
      throw new AppError(
        'FORBIDDEN',
        'this key is not bound to a source; create write keys with `tessera sources create` or `rotate-key`',
        { statusCode: 403 },
      );
    }
    sourcesOfRequests.set(request, await sources.resolve(key.sourceId));
  };
}

export function sourceOf(request: FastifyRequest): SourceProfile {
  const source = sourcesOfRequests.get(request);
  if (!source) throw new Error('route is not behind authorizeSource');
  return source;
}
