import { randomBytes, randomUUID } from 'node:crypto';
import type { AccessKeyV1, AuditEventV1 } from '@tessera/contracts';

/** A valid access-key record (the topic is compacted, single-partition and allows tombstones). */
export function accessKey(overrides: Partial<AccessKeyV1> = {}): AccessKeyV1 {
  return {
    schemaVersion: 1,
    keyId: randomBytes(8).toString('hex'),
    secretSha256: randomBytes(32).toString('hex'),
    name: 'test key',
    scopes: ['ingest:write'],
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A valid audit event (3 partitions in tests, keyed by auditId when there is no profile). */
export function auditEvent(overrides: Partial<AuditEventV1> = {}): AuditEventV1 {
  return {
    schemaVersion: 1,
    auditId: randomUUID(),
    service: 'kafka-test',
    action: 'pii.read',
    actor: 'system:test',
    subject: {},
    details: {},
    at: new Date().toISOString(),
    ...overrides,
  };
}
