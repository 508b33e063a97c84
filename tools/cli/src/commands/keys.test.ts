import type { AccessKeyV1 } from '@tessera/contracts';
import {
  formatKeyRows,
  isActive,
  keyStatus,
  parseScopes,
  publicKeyView,
  validateKeyName,
  validateSourceId,
} from './keys';

const record = (overrides: Partial<AccessKeyV1> = {}): AccessKeyV1 => ({
  schemaVersion: 1,
  keyId: 'abcdefgh12345678',
  secretSha256: 'f'.repeat(64),
  name: 'web',
  scopes: ['ingest:write'],
  sourceId: 'dev-web',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const now = new Date('2026-06-01T00:00:00.000Z');

describe('keys arguments', () => {
  it('parseScopes should accept known scopes once each', () => {
    expect(parseScopes('profile:read, pii:read,profile:read')).toEqual(['profile:read', 'pii:read']);
  });

  it('parseScopes should reject an empty list and unknown scopes', () => {
    expect(() => parseScopes(' , ')).toThrow(/at least one scope/);
    expect(() => parseScopes('admin')).toThrow(/unknown scope\(s\): admin/);
  });

  it('validateKeyName and validateSourceId should bound their input', () => {
    expect(validateKeyName('  web  ')).toBe('web');
    expect(() => validateKeyName('   ')).toThrow(/--name/);
    expect(() => validateKeyName('x'.repeat(201))).toThrow(/--name/);
    expect(validateSourceId(undefined)).toBeUndefined();
    expect(validateSourceId('dev-web')).toBe('dev-web');
    expect(() => validateSourceId('has space')).toThrow(/--source/);
  });
});

describe('keys output', () => {
  it('keyStatus should tell active, revoked and scheduled revocations apart', () => {
    expect(keyStatus(record(), now)).toBe('active');
    expect(keyStatus(record({ revokedAt: '2026-05-01T00:00:00.000Z' }), now)).toBe('revoked');
    expect(keyStatus(record({ revokedAt: '2026-07-01T00:00:00.000Z' }), now)).toBe(
      'revokes 2026-07-01T00:00:00.000Z',
    );
    expect(isActive(record({ revokedAt: '2026-07-01T00:00:00.000Z' }), now)).toBe(true);
    expect(isActive(record({ revokedAt: '2026-05-01T00:00:00.000Z' }), now)).toBe(false);
  });

  it('formatKeyRows should never print the secret hash', () => {
    const text = formatKeyRows(
      [record(), record({ keyId: 'zzzzzzzz', sourceId: undefined, scopes: ['profile:read', 'pii:read'] })],
      now,
    );
    expect(text).not.toContain('f'.repeat(64));
    expect(text.split('\n')[2]).toMatch(
      /^zzzzzzzz\s+web\s+profile:read,pii:read\s+-\s+2026-01-01T00:00:00.000Z\s+active$/,
    );
    expect(publicKeyView(record())).not.toHaveProperty('secretSha256');
  });
});
