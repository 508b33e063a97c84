import { createKeyAdmin, createStaticKeyDirectory, type KeyAdmin } from '@tessera/access';
import type { TopicId } from '@tessera/contracts';
import { issueWriteKey, revokeWriteKey, rotateWriteKey, writeKeysOf } from './write-keys';

function keyAdmin(): KeyAdmin {
  const producer = { publish: async (_topic: TopicId, _messages: unknown[]) => undefined };
  return createKeyAdmin({ producer, directory: createStaticKeyDirectory(), actor: 'test' });
}

describe('write keys of a source', () => {
  it('rotateWriteKey should leave exactly one live key, keeping the rotated one for the grace period', async () => {
    const keys = keyAdmin();
    const first = await issueWriteKey(keys, 'web');
    const second = await issueWriteKey(keys, 'web');
    const otherSource = await issueWriteKey(keys, 'app');
    const rotated = await rotateWriteKey(keys, 'web', 3600);

    const now = Date.now();
    const live = writeKeysOf(keys, 'web').filter(
      (k) => k.revokedAt === undefined || Date.parse(k.revokedAt) > now,
    );
    // The first key is in its grace period, the second revoked at once, the new one live.
    expect(live.map((k) => k.keyId).sort()).toEqual([first.keyId, rotated.keyId].sort());
    expect(writeKeysOf(keys, 'web').find((k) => k.keyId === second.keyId)!.revokedAt).toBeDefined();
    expect(writeKeysOf(keys, 'app').map((k) => k.keyId)).toEqual([otherSource.keyId]);
  });

  it('rotateWriteKey should issue a key for a source that has none', async () => {
    const keys = keyAdmin();
    const issued = await rotateWriteKey(keys, 'fresh');
    expect(writeKeysOf(keys, 'fresh').map((k) => k.keyId)).toEqual([issued.keyId]);
  });

  it('revokeWriteKey should refuse a key of another source with NOT_FOUND', async () => {
    const keys = keyAdmin();
    const app = await issueWriteKey(keys, 'app');
    await expect(revokeWriteKey(keys, 'web', app.keyId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      statusCode: 404,
    });
    expect(await revokeWriteKey(keys, 'app', app.keyId)).toMatchObject({ keyId: app.keyId, active: false });
  });
});
