import { Topics } from '@tessera/contracts';
import { createTestKafka, getInfra, testLogger, uniqueName, type TestKafka } from '@tessera/testkit';
import { createKafka } from './kafka';

jest.setTimeout(30_000);

describe('topic admin', () => {
  let tk: TestKafka;

  beforeAll(async () => {
    tk = await createTestKafka({ topics: ['audit', 'accessKeys'] });
  });

  afterAll(async () => {
    await tk.cleanup();
  });

  it('ensureTopics should create topics with capped partitions and their catalogue config', async () => {
    const described = await tk.kafka.admin().describeTopics(['audit', 'accessKeys', 'deadLetter']);
    expect(described).toEqual([
      { name: tk.kafka.topic('audit'), partitions: 3, config: { ...Topics.audit.config } },
      { name: tk.kafka.topic('accessKeys'), partitions: 1, config: { ...Topics.accessKeys.config } },
      { name: tk.kafka.topic('deadLetter'), partitions: 3, config: { ...Topics.deadLetter.config } },
    ]);
  });

  it('ensureTopics should be idempotent and add only what is missing, extras included', async () => {
    const admin = tk.kafka.admin();
    const extra = `${tk.prefix}${uniqueName('extra-')}`;
    await Promise.all([
      admin.ensureTopics(['audit', 'privacyStatus'], [{ name: extra, partitions: 2 }], { partitions: 3 }),
      admin.ensureTopics(['audit', 'privacyStatus'], [{ name: extra, partitions: 2 }], { partitions: 3 }),
    ]);
    const described = await admin.describeTopics(['audit', 'privacyStatus']);
    expect(described.map((t) => [t.name, t.partitions])).toEqual([
      [tk.kafka.topic('audit'), 3],
      [tk.kafka.topic('privacyStatus'), 3],
    ]);
  });

  it('endOffsets should give each partition the offset its next message will get', async () => {
    const producer = tk.kafka.producer();
    await producer.connect();
    try {
      const before = await tk.kafka.admin().endOffsets('audit');
      expect([...before.keys()].sort()).toEqual([0, 1, 2]);
      await producer.publishRaw(tk.kafka.topic('audit'), [{ key: 'k', value: 'not read by anyone' }]);
      const after = await tk.kafka.admin().endOffsets('audit');
      const grown = [...after].filter(
        ([partition, offset]) => BigInt(offset) > BigInt(before.get(partition)!),
      );
      expect(grown).toHaveLength(1);
      expect(BigInt(grown[0]![1]) - BigInt(before.get(grown[0]![0])!)).toBe(1n);
    } finally {
      await producer.disconnect();
    }
  });

  it('describeTopics should leave out topics that do not exist', async () => {
    expect(await tk.kafka.admin().describeTopics(['profileUpdates'])).toEqual([]);
  });

  it('deleteTopicsByPrefix should delete only the prefix and refuse an empty one', async () => {
    const { kafkaBrokers } = await getInfra();
    const other = createKafka({
      brokers: kafkaBrokers,
      clientId: 'admin-test',
      topicPrefix: `${uniqueName('t')}.`,
      logger: testLogger(),
    });
    const admin = other.admin();
    try {
      await admin.ensureTopics(['audit'], [], { partitions: 1 });
      await expect(admin.deleteTopicsByPrefix('')).rejects.toThrow('empty prefix');
      await admin.deleteTopicsByPrefix(other.topicPrefix);
      expect(await admin.describeTopics(['audit'])).toEqual([]);
      expect(await tk.kafka.admin().describeTopics(['audit'])).toHaveLength(1);
    } finally {
      await admin.deleteTopicsByPrefix(other.topicPrefix);
      await admin.disconnect();
    }
  });
});
