import { createKafka } from '@tessera/kafka';
import { uuidv7 } from '@tessera/contracts';
import { startProxiedBroker, type ProxiedBroker } from './proxied-broker';
import { testLogger } from './logging';

describe('startProxiedBroker', () => {
  let broker: ProxiedBroker;
  beforeAll(async () => {
    broker = await startProxiedBroker();
  }, 120_000);
  afterAll(async () => broker?.stop(), 60_000);

  it('startProxiedBroker should carry traffic until cut and again after restore', async () => {
    const kafka = createKafka({
      brokers: broker.brokers,
      clientId: 'proxy-test',
      logger: testLogger('kafka'),
    });
    const admin = kafka.admin();
    await admin.ensureTopics(['audit'], [], { partitions: 1 });
    const producer = kafka.producer();
    await producer.connect();
    const event = () => ({
      schemaVersion: 1 as const,
      auditId: uuidv7(),
      service: 'test',
      action: 'pii.read' as const,
      actor: 'test',
      subject: {},
      details: {},
      at: new Date().toISOString(),
    });
    await producer.publish('audit', [event()]);
    await broker.cut();
    await expect(producer.publish('audit', [event()])).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    await broker.restore();
    await producer.publish('audit', [event()]);
    await producer.disconnect();
    await admin.disconnect();
  }, 120_000);
});
