import type { AccessKeyV1 } from '@tessera/contracts';
import { generateApiKey } from './api-key';
import { KeyTable } from './key-table';

describe('KeyTable', () => {
  const { token, record } = generateApiKey({ name: 'k', scopes: ['ingest:write'] });
  const revokedAt = '2026-01-01T00:00:00.000Z';

  it('should keep a revocation when an older create record is replayed after it', () => {
    const table = new KeyTable();
    table.apply({ ...record, revokedAt });
    table.apply(record);
    expect(table.check(token)).toEqual({ status: 'revoked', keyId: record.keyId });
  });

  it('should let an immediate revocation replace a scheduled one but not the reverse', () => {
    const table = new KeyTable(() => Date.parse('2026-06-01T00:00:00.000Z'));
    const scheduled: AccessKeyV1 = { ...record, revokedAt: '2027-01-01T00:00:00.000Z' };
    table.apply(scheduled);
    expect(table.check(token).status).toBe('valid');
    table.apply({ ...record, revokedAt });
    expect(table.check(token).status).toBe('revoked');
    table.apply(scheduled);
    expect(table.get(record.keyId)?.revokedAt).toBe(revokedAt);
  });

  it('should forget a key on delete (tombstone)', () => {
    const table = new KeyTable();
    table.apply(record);
    table.delete(record.keyId);
    expect(table.check(token)).toEqual({ status: 'unknown' });
    expect(table.list()).toEqual([]);
  });
});
