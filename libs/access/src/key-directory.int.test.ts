import { createTestKafka, testLogger, waitFor } from '@tessera/testkit';
import type { TesseraKafka, TypedProducer } from '@tessera/kafka';
import { authenticateToken } from './authenticate';
import { createKeyAdmin } from './key-admin';
import { createKeyDirectory, type KeyDirectory } from './key-directory';

describe('key directory over Kafka', () => {
  let kafka: TesseraKafka;
  let cleanup: () => Promise<void>;
  let producer: TypedProducer;
  const directories: KeyDirectory[] = [];

  beforeAll(async () => {
    const test = await createTestKafka({ topics: ['accessKeys', 'audit', 'deadLetter'] });
    kafka = test.kafka;
    cleanup = test.cleanup;
    producer = kafka.producer({ name: 'key-admin' });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(directories.map((d) => d.stop()));
    await producer.disconnect();
    await cleanup();
  });

  const startDirectory = async (): Promise<KeyDirectory> => {
    const directory = createKeyDirectory({
      kafka,
      logger: testLogger(),
      groupId: 'access-int',
      emptyTopicMs: 2_000,
    });
    directories.push(directory);
    await directory.start();
    return directory;
  };

  it('should let a second instance verify a created key and reject it once revoked', async () => {
    const writerDirectory = await startDirectory();
    const admin = createKeyAdmin({ producer, directory: writerDirectory, actor: 'test' });
    const { token, record } = await admin.create({
      name: 'web',
      scopes: ['ingest:write'],
      sourceId: 'web-1',
    });

    const reader = await startDirectory();
    const key = await waitFor(async () => reader.verify(token), {
      timeoutMs: 30_000,
      message: 'key never reached reader',
    });
    expect(key).toEqual({ keyId: record.keyId, name: 'web', scopes: ['ingest:write'], sourceId: 'web-1' });
    await waitFor(async () => reader.ready(), { timeoutMs: 30_000, message: 'reader never became ready' });

    await admin.revoke(record.keyId);
    await waitFor(async () => reader.check(token).status === 'revoked', {
      timeoutMs: 30_000,
      message: 'revocation never arrived',
    });
    expect(() => authenticateToken(reader, token)).toThrow(
      expect.objectContaining({ code: 'WRITE_KEY_REVOKED' }),
    );
  });

  it('should load existing keys on start and become ready', async () => {
    const writerDirectory = await startDirectory();
    const admin = createKeyAdmin({ producer, directory: writerDirectory });
    const created = await Promise.all([
      admin.create({ name: 'a', scopes: ['profile:read'] }),
      admin.create({ name: 'b', scopes: ['consent:write'] }),
    ]);
    const late = await startDirectory();
    await waitFor(async () => late.ready() && created.every((c) => late.verify(c.token) !== undefined), {
      timeoutMs: 30_000,
      message: 'late directory never loaded the existing keys',
    });
  });
});
