import type { TopicId, TopicMessage } from '@tessera/contracts';
import { authenticateToken } from './authenticate';
import { createKeyAdmin } from './key-admin';
import { createStaticKeyDirectory } from './key-directory';

/** Records what would be published, per topic. */
function recordingProducer() {
  const published: Array<{ topic: TopicId; messages: unknown[] }> = [];
  return {
    published,
    producer: {
      async publish<T extends TopicId>(topic: T, messages: TopicMessage<T>[]): Promise<void> {
        published.push({ topic, messages });
      },
    },
    of<T extends TopicId>(topic: T): TopicMessage<T>[] {
      return published.filter((p) => p.topic === topic).flatMap((p) => p.messages as TopicMessage<T>[]);
    },
  };
}

describe('createKeyAdmin', () => {
  it('should publish a created key (hash only) and an audit event, and apply it locally', async () => {
    const rec = recordingProducer();
    const directory = createStaticKeyDirectory();
    const admin = createKeyAdmin({ producer: rec.producer, directory, actor: 'cli:ops' });
    const { token, record } = await admin.create({
      name: 'web',
      scopes: ['ingest:write'],
      sourceId: 'web-1',
    });
    expect(rec.of('accessKeys')).toEqual([record]);
    expect(JSON.stringify(rec.published)).not.toContain(token.split('_').slice(2).join('_'));
    expect(rec.of('audit')).toEqual([
      expect.objectContaining({
        action: 'key.create',
        actor: 'cli:ops',
        details: expect.objectContaining({ keyId: record.keyId }),
      }),
    ]);
    expect(authenticateToken(directory, token).sourceId).toBe('web-1');
    expect(admin.list()).toEqual([record]);
  });

  it('should revoke a key so it is rejected at once', async () => {
    const rec = recordingProducer();
    const directory = createStaticKeyDirectory();
    const admin = createKeyAdmin({ producer: rec.producer, directory });
    const { token, record } = await admin.create({ name: 'web', scopes: ['ingest:write'] });
    const revoked = await admin.revoke(record.keyId);
    expect(revoked.revokedAt).toBeDefined();
    expect(() => authenticateToken(directory, token)).toThrow(
      expect.objectContaining({ code: 'WRITE_KEY_REVOKED' }),
    );
    expect(rec.of('audit').map((e) => e.action)).toEqual(['key.create', 'key.revoke']);
    await expect(admin.revoke('unknownkey000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      statusCode: 404,
    });
  });

  it('should rotate a key into a new one with the same scopes and source, revoking the old', async () => {
    const rec = recordingProducer();
    const directory = createStaticKeyDirectory();
    const admin = createKeyAdmin({ producer: rec.producer, directory });
    const old = await admin.create({
      name: 'crm',
      scopes: ['ingest:write', 'profile:read'],
      sourceId: 'crm',
    });
    const rotated = await admin.rotate(old.record.keyId);
    expect(rotated.record).toMatchObject({
      name: 'crm',
      scopes: ['ingest:write', 'profile:read'],
      sourceId: 'crm',
    });
    expect(rotated.record.keyId).not.toBe(old.record.keyId);
    expect(authenticateToken(directory, rotated.token).keyId).toBe(rotated.record.keyId);
    expect(() => authenticateToken(directory, old.token)).toThrow(
      expect.objectContaining({ code: 'WRITE_KEY_REVOKED' }),
    );
    expect(rec.of('audit').at(-1)).toMatchObject({
      action: 'key.rotate',
      details: { keyId: old.record.keyId, newKeyId: rotated.record.keyId },
    });
  });

  it('should keep the old key valid during a rotation grace period', async () => {
    const rec = recordingProducer();
    const directory = createStaticKeyDirectory();
    const admin = createKeyAdmin({ producer: rec.producer, directory });
    const old = await admin.create({ name: 'app', scopes: ['ingest:write'] });
    await admin.rotate(old.record.keyId, { graceSeconds: 3600 });
    expect(authenticateToken(directory, old.token).keyId).toBe(old.record.keyId);
  });
});
