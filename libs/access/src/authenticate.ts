import { AppError, type Scope } from '@tessera/contracts';
import type { VerifiedKey } from './api-key';
import type { KeyDirectory } from './key-directory';

export interface AuthenticateOptions {
  /** Also accept HTTP Basic with the token as username (Segment's write-key convention). */
  basic: boolean;
}

function challenge(basic: boolean): Record<string, string> {
  return {
    'www-authenticate': basic ? 'Basic realm="tessera", Bearer realm="tessera"' : 'Bearer realm="tessera"',
  };
}

function unauthenticated(message: string, basic: boolean): AppError {
  return new AppError('UNAUTHENTICATED', message, { statusCode: 401, headers: challenge(basic) });
}

/** The token inside an Authorization header, or an AppError saying what is wrong with it. */
export function tokenFromHeader(header: string | undefined, opts: AuthenticateOptions): string {
  const value = header?.trim();
  if (!value) throw unauthenticated('missing Authorization header', opts.basic);
  const space = value.indexOf(' ');
  const scheme = (space === -1 ? value : value.slice(0, space)).toLowerCase();
  const credentials = space === -1 ? '' : value.slice(space + 1).trim();
  if (scheme === 'bearer' && credentials) return credentials;
  if (scheme === 'basic' && opts.basic && credentials) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Segment sends `<writeKey>:` (empty password); the password is ignored.
    const username = colon === -1 ? decoded : decoded.slice(0, colon);
    if (username) return username;
    throw unauthenticated('Basic credentials must carry the API key as username', opts.basic);
  }
  throw unauthenticated(
    opts.basic
      ? 'Authorization must be "Bearer <key>" or Basic with the key as username'
      : 'Authorization must be "Bearer <key>"',
    opts.basic,
  );
}

/**
 * Checks a bare token (from a header, or from a body's `writeKey` as analytics.js sends with
 * sendBeacon). While the directory is still loading, an unknown key answers 503 rather than 401:
 * Segment clients drop batches on 4xx but retry on 5xx, so a restart must not lose events.
 */
export function authenticateToken(
  directory: KeyDirectory,
  token: string,
  opts: AuthenticateOptions = { basic: false },
): VerifiedKey {
  const result = directory.check(token);
  if (result.status === 'valid') return result.key;
  if (result.status === 'revoked') {
    throw new AppError('WRITE_KEY_REVOKED', 'API key has been revoked', {
      statusCode: 401,
      headers: challenge(opts.basic),
    });
  }
  if (!directory.ready()) {
    throw new AppError('UPSTREAM_UNAVAILABLE', 'API keys are still loading; retry shortly', {
      statusCode: 503,
      retryable: true,
      headers: { 'retry-after': '1' },
    });
  }
  throw unauthenticated('invalid API key', opts.basic);
}

/**
 * Authenticates an Authorization header: `Bearer <token>`, or with `basic: true` HTTP Basic
 * with the token as username. Throws UNAUTHENTICATED (401, with WWW-Authenticate) for a
 * missing, malformed or unknown key and WRITE_KEY_REVOKED (401) for a revoked one.
 */
export function authenticate(
  directory: KeyDirectory,
  header: string | undefined,
  opts: AuthenticateOptions,
): VerifiedKey {
  return authenticateToken(directory, tokenFromHeader(header, opts), opts);
}

/** FORBIDDEN (403) naming the missing scope. */
export function requireScope(key: VerifiedKey, scope: Scope): void {
  if (!key.scopes.includes(scope)) {
    throw new AppError('FORBIDDEN', `API key lacks the "${scope}" scope`, {
      statusCode: 403,
      details: [{ path: 'scope', message: `requires ${scope}` }],
    });
  }
}
