import type { KeyAdmin } from '@tessera/access';
import { AppError, type AccessKeyV1, type IssuedWriteKeyV1, type WriteKeyViewV1 } from '@tessera/contracts';

/*
 * A source's write keys are access keys with `ingest:write` bound to the source id, kept on the
 * access-keys topic by @tessera/access. These functions are the one implementation of what
 * "the source's write key" means, for the CLI and the admin API alike.
 */

const isActive = (k: AccessKeyV1, now: number) => k.revokedAt === undefined || Date.parse(k.revokedAt) > now;

/** Every write key ever issued for the source (revoked ones too), oldest first. */
export function writeKeysOf(keys: Pick<KeyAdmin, 'list'>, sourceId: string): AccessKeyV1[] {
  return keys.list().filter((k) => k.sourceId === sourceId && k.scopes.includes('ingest:write'));
}

export function writeKeyView(record: AccessKeyV1, now = Date.now()): WriteKeyViewV1 {
  return {
    keyId: record.keyId,
    name: record.name,
    createdAt: record.createdAt,
    ...(record.revokedAt !== undefined ? { revokedAt: record.revokedAt } : {}),
    active: isActive(record, now),
  };
}

/** A new write key for the source; the token is in the result and nowhere else. */
export async function issueWriteKey(keys: KeyAdmin, sourceId: string): Promise<IssuedWriteKeyV1> {
  const created = await keys.create({ name: `source:${sourceId}`, scopes: ['ingest:write'], sourceId });
  return { schemaVersion: 1, sourceId, keyId: created.record.keyId, writeKey: created.token };
}

/**
 * Rotation leaves the source with one new key: the first live key is rotated (it keeps working
 * for `graceSeconds`), every other live key is revoked at once. A source without a live key just
 * gets one.
 */
export async function rotateWriteKey(
  keys: KeyAdmin,
  sourceId: string,
  graceSeconds = 0,
): Promise<IssuedWriteKeyV1> {
  const now = Date.now();
  const live = writeKeysOf(keys, sourceId).filter((k) => isActive(k, now));
  const [first, ...rest] = live;
  if (!first) return issueWriteKey(keys, sourceId);
  const rotated = await keys.rotate(first.keyId, { graceSeconds });
  for (const k of rest) await keys.revoke(k.keyId);
  return { schemaVersion: 1, sourceId, keyId: rotated.record.keyId, writeKey: rotated.token };
}

/** Revokes one of the source's write keys at once; NOT_FOUND if the key is not the source's. */
export async function revokeWriteKey(
  keys: KeyAdmin,
  sourceId: string,
  keyId: string,
): Promise<WriteKeyViewV1> {
  const record = writeKeysOf(keys, sourceId).find((k) => k.keyId === keyId);
  if (!record)
    throw new AppError('NOT_FOUND', `source ${sourceId} has no write key ${keyId}`, { statusCode: 404 });
  return writeKeyView(await keys.revoke(keyId));
}
