import { AppError, type AccessKeyV1 } from '@tessera/contracts';
import { generateApiKey, parseApiKey } from './api-key';
import { authenticate, authenticateToken, requireScope } from './authenticate';
import { createStaticKeyDirectory, type KeyDirectory } from './key-directory';

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const basic = (user: string, password = '') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authenticate', () => {
  const live = generateApiKey({ name: 'web source', scopes: ['ingest:write'], sourceId: 'web-1' });
  const revoked = generateApiKey({ name: 'old', scopes: ['ingest:write'] });
  const revokedRecord: AccessKeyV1 = {
    ...revoked.record,
    revokedAt: new Date(Date.now() - 1000).toISOString(),
  };
  let directory: KeyDirectory;
  beforeEach(() => {
    directory = createStaticKeyDirectory([live.record, revokedRecord]);
  });

  it('should accept a Bearer token and return the key without its secret', () => {
    const key = authenticate(directory, `Bearer ${live.token}`, { basic: false });
    expect(key).toEqual({
      keyId: live.record.keyId,
      name: 'web source',
      scopes: ['ingest:write'],
      sourceId: 'web-1',
    });
  });

  it('should accept Basic with the token as username when basic is enabled', () => {
    expect(authenticate(directory, basic(live.token), { basic: true }).keyId).toBe(live.record.keyId);
  });

  it('should refuse Basic when basic is disabled', () => {
    const err = caught(() => authenticate(directory, basic(live.token), { basic: false }));
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', statusCode: 401 });
  });

  it('should refuse a missing header with UNAUTHENTICATED and a challenge', () => {
    for (const header of [undefined, '', '   ']) {
      const err = caught(() => authenticate(directory, header, { basic: true }));
      expect(err).toMatchObject({ code: 'UNAUTHENTICATED', statusCode: 401 });
      expect(err.headers?.['www-authenticate']).toContain('Basic');
      expect(err.headers?.['www-authenticate']).toContain('Bearer');
    }
  });

  it('should refuse an unknown scheme and an empty Basic username', () => {
    expect(caught(() => authenticate(directory, `Token ${live.token}`, { basic: true })).code).toBe(
      'UNAUTHENTICATED',
    );
    expect(caught(() => authenticate(directory, 'Bearer', { basic: true })).code).toBe('UNAUTHENTICATED');
    expect(caught(() => authenticate(directory, basic('', live.token), { basic: true })).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('should refuse a malformed token', () => {
    expect(caught(() => authenticate(directory, 'Bearer not-a-key', { basic: false })).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('should refuse an unknown key', () => {
    const other = generateApiKey({ name: 'elsewhere', scopes: ['ingest:write'] });
    const err = caught(() => authenticate(directory, `Bearer ${other.token}`, { basic: false }));
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', statusCode: 401, message: 'invalid API key' });
  });

  it('should refuse a known key id with the wrong secret exactly like an unknown key', () => {
    const forged = `tsk_${live.record.keyId}_${'A'.repeat(43)}`;
    expect(caught(() => authenticate(directory, `Bearer ${forged}`, { basic: false }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'invalid API key',
    });
    const forgedRevoked = `tsk_${revoked.record.keyId}_${'A'.repeat(43)}`;
    expect(caught(() => authenticate(directory, `Bearer ${forgedRevoked}`, { basic: false })).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('should refuse a revoked key with WRITE_KEY_REVOKED', () => {
    const err = caught(() => authenticate(directory, `Bearer ${revoked.token}`, { basic: false }));
    expect(err).toMatchObject({ code: 'WRITE_KEY_REVOKED', statusCode: 401 });
  });

  it('should keep accepting a key whose revocation is scheduled in the future', () => {
    directory.upsert({ ...live.record, revokedAt: new Date(Date.now() + 60_000).toISOString() });
    expect(authenticate(directory, `Bearer ${live.token}`, { basic: false }).keyId).toBe(live.record.keyId);
  });

  it('should answer a retryable 503 for unknown keys while the directory is loading', () => {
    const loading: KeyDirectory = { ...directory, ready: () => false };
    const other = generateApiKey({ name: 'new', scopes: ['ingest:write'] });
    expect(caught(() => authenticateToken(loading, other.token))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      statusCode: 503,
      retryable: true,
    });
    expect(authenticateToken(loading, live.token).keyId).toBe(live.record.keyId);
  });
});

describe('requireScope', () => {
  it('should pass a key holding the scope and refuse one without it, naming the scope', () => {
    const key = { keyId: 'abcdefgh12345678', name: 'k', scopes: ['profile:read' as const] };
    expect(() => requireScope(key, 'profile:read')).not.toThrow();
    const err = caught(() => requireScope(key, 'pii:read'));
    expect(err).toMatchObject({ code: 'FORBIDDEN', statusCode: 403 });
    expect(err.message).toContain('pii:read');
  });
});

describe('generateApiKey', () => {
  it('should refuse an empty name or no scopes with VALIDATION_FAILED and paths', () => {
    const err = caught(() => generateApiKey({ name: '', scopes: [] }));
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', statusCode: 400 });
    expect(err.details?.map((d) => d.path).sort()).toEqual(['name', 'scopes']);
  });
});

describe('parseApiKey', () => {
  it('should split generated tokens and refuse other strings', () => {
    const { token, record } = generateApiKey({ name: 'k', scopes: ['ingest:write'] });
    expect(record.keyId).toMatch(/^[a-z0-9]{16}$/);
    expect(parseApiKey(token)).toEqual({
      keyId: record.keyId,
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    for (const bad of [
      '',
      'tsk_',
      'tsk_ABC_secretsecretsecretsecret',
      `sk_${record.keyId}_xxxxxxxxxxxxxxxxxxxx`,
      `${token} `,
    ]) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
  });
});
