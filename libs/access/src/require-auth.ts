import type { Scope } from '@tessera/contracts';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { VerifiedKey } from './api-key';
import { authenticate, requireScope, type AuthenticateOptions } from './authenticate';
import type { KeyDirectory } from './key-directory';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireAuth` for authenticated routes. */
    apiKey?: VerifiedKey;
  }
}

/**
 * A fastify preHandler: authenticates the Authorization header, checks the scope (if given) and
 * sets `request.apiKey`. Errors are AppErrors for the one error handler.
 */
export function requireAuth(
  directory: KeyDirectory,
  scope: Scope | undefined,
  opts: AuthenticateOptions = { basic: false },
): preHandlerAsyncHookHandler {
  return async function requireApiKey(request: FastifyRequest) {
    const key = authenticate(directory, request.headers.authorization, opts);
    if (scope) requireScope(key, scope);
    request.apiKey = key;
  };
}

/** The authenticated key of a request behind `requireAuth` (throws if the route has none). */
export function apiKeyOf(request: FastifyRequest): VerifiedKey {
  if (!request.apiKey) throw new Error('route is not behind requireAuth');
  return request.apiKey;
}
