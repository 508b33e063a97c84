import {
  AppError,
  uuidv7,
  type AccessKeyV1,
  type AuditAction,
  type AuditEventV1,
  type Scope,
} from '@tessera/contracts';
import type { TypedProducer } from '@tessera/kafka';
import { generateApiKey } from './api-key';
import type { KeyDirectory } from './key-directory';

/*
 * The access-keys topic is the store of record for keys, not a table of some service: every API
 * instance needs all keys in memory anyway, a revocation must reach every instance at once (one
 * publish, all tails see it), and no service should own (or query) another service's table.
 * Compaction keeps the latest record per key; records carry only the secret's SHA-256.
 */

export interface KeyAdminDeps {
  producer: Pick<TypedProducer, 'publish'>;
  directory: KeyDirectory;
  /** Who acts, for the audit trail (`cli:<user>`, an admin key id). Default `system:access`. */
  actor?: string;
  /** Publishing service name in audit events. Default `access`. */
  service?: string;
  clock?: () => Date;
}

export interface KeyAdmin {
  /** A new key; the token is returned once and never stored. */
  create(input: {
    name: string;
    scopes: Scope[];
    sourceId?: string;
  }): Promise<{ token: string; record: AccessKeyV1 }>;
  /** Revokes at once; revoking a revoked key is a no-op. NOT_FOUND for an unknown key. */
  revoke(keyId: string): Promise<AccessKeyV1>;
  /**
   * A new key with the same name, scopes and source; the old one is revoked after `graceSeconds`
   * (default 0: at once), so clients holding the old key can switch over.
   */
  rotate(keyId: string, opts?: { graceSeconds?: number }): Promise<{ token: string; record: AccessKeyV1 }>;
  /** Every key the directory knows, oldest first. */
  list(): AccessKeyV1[];
}

export function createKeyAdmin(deps: KeyAdminDeps): KeyAdmin {
  const clock = deps.clock ?? (() => new Date());
  const actor = deps.actor ?? 'system:access';
  const service = deps.service ?? 'access';

  const audit = (action: AuditAction, details: AuditEventV1['details']): AuditEventV1 => ({
    schemaVersion: 1,
    auditId: uuidv7(),
    service,
    action,
    actor,
    subject: {},
    details,
    at: clock().toISOString(),
  });

  const existing = (keyId: string): AccessKeyV1 => {
    const record = deps.directory.get(keyId);
    if (!record) throw new AppError('NOT_FOUND', `no API key with id ${keyId}`, { statusCode: 404 });
    return record;
  };

  // The key record first: an audit event for a change that did not happen would be worse than
  // a change whose audit publish must be retried.
  const publish = async (record: AccessKeyV1, event: AuditEventV1) => {
    await deps.producer.publish('accessKeys', [record]);
    deps.directory.upsert(record);
    await deps.producer.publish('audit', [event]);
  };

  const describe = (record: AccessKeyV1): AuditEventV1['details'] => ({
    keyId: record.keyId,
    name: record.name,
    scopes: [...record.scopes],
    ...(record.sourceId !== undefined ? { sourceId: record.sourceId } : {}),
  });

  return {
    async create(input) {
      const created = generateApiKey(input, clock());
      await publish(created.record, audit('key.create', describe(created.record)));
      return created;
    },

    async revoke(keyId) {
      const record = existing(keyId);
      const now = clock();
      if (record.revokedAt !== undefined && Date.parse(record.revokedAt) <= now.getTime()) return record;
      const revoked: AccessKeyV1 = { ...record, revokedAt: now.toISOString() };
      await publish(revoked, audit('key.revoke', { keyId }));
      return revoked;
    },

    async rotate(keyId, opts = {}) {
      const old = existing(keyId);
      const now = clock();
      if (old.revokedAt !== undefined && Date.parse(old.revokedAt) <= now.getTime()) {
        throw new AppError('CONFLICT', `API key ${keyId} is revoked and cannot be rotated`, {
          statusCode: 409,
        });
      }
      const graceSeconds = Math.max(0, opts.graceSeconds ?? 0);
      const created = generateApiKey(
        {
          name: old.name,
          scopes: old.scopes,
          ...(old.sourceId !== undefined ? { sourceId: old.sourceId } : {}),
        },
        now,
      );
      const retired: AccessKeyV1 = {
        ...old,
        revokedAt: new Date(now.getTime() + graceSeconds * 1000).toISOString(),
      };
      await deps.producer.publish('accessKeys', [created.record, retired]);
      deps.directory.upsert(created.record);
      deps.directory.upsert(retired);
      await deps.producer.publish('audit', [
        audit('key.rotate', { keyId, newKeyId: created.record.keyId, graceSeconds }),
      ]);
      return created;
    },

    list: () => deps.directory.list(),
  };
}
