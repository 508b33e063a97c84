import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase } from './database';
import { getInfra } from './infra';
import { collectMessages, createTestKafka } from './kafka';
import { captureLogs } from './logging';
import { createTestRedis } from './redis';
import { waitFor } from './wait-for';

jest.setTimeout(30_000);

describe('testkit', () => {
  it('getInfra should report the addresses global setup exported', async () => {
    const infra = await getInfra();
    expect(infra.kafkaBrokers.length).toBeGreaterThan(0);
    expect(infra.databaseUrl).toMatch(/^postgres(ql)?:\/\//);
    expect(infra.redisUrl).toMatch(/^rediss?:\/\//);
  });

  it('createTestDatabase should give a fresh database that drop removes', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined); // the forced drop below terminates this connection
    await client.connect();
    const { rows } = await client.query<{ name: string }>('select current_database() as name');
    expect(rows[0]!.name).toBe(db.name);
    await db.drop(); // with the client still connected: FORCE disconnects it
    await client.end().catch(() => undefined);

    const admin = new pg.Client({ connectionString: (await getInfra()).databaseUrl });
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [db.name]);
      expect(exists.rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('createTestRedis cleanup should delete only keys under its prefix', async () => {
    const mine = await createTestRedis();
    const other = await createTestRedis();
    try {
      await mine.redis.set(`${mine.keyPrefix}a`, '1');
      await mine.redis.hset(`${mine.keyPrefix}b`, 'f', 'v');
      await other.redis.set(`${other.keyPrefix}a`, '1');
      await mine.cleanup();
      expect(await other.redis.get(`${other.keyPrefix}a`)).toBe('1');
      expect(await other.redis.exists(`${mine.keyPrefix}a`, `${mine.keyPrefix}b`)).toBe(0);
    } finally {
      await other.cleanup();
    }
  });

  it('createTestKafka should provision prefixed topics and remove them on cleanup', async () => {
    const tk = await createTestKafka({ topics: ['audit'] });
    const producer = tk.kafka.producer();
    await producer.connect();
    try {
      expect(tk.kafka.topic('audit').startsWith(tk.prefix)).toBe(true);
      const event = {
        schemaVersion: 1 as const,
        auditId: randomUUID(),
        service: 'testkit',
        action: 'pii.read' as const,
        actor: 'system:test',
        subject: {},
        details: {},
        at: new Date().toISOString(),
      };
      await producer.publish('audit', [event]);
      const seen = await collectMessages(tk.kafka, 'audit', { until: (m) => m.length > 0 });
      expect(seen.map((m) => m.value)).toEqual([event]);
    } finally {
      await producer.disconnect();
      await tk.cleanup();
    }
    const described = await tk.kafka.admin().describeTopics(['audit', 'deadLetter']);
    await tk.kafka.admin().disconnect();
    expect(described).toEqual([]);
  });

  it('waitFor should return the first truthy probe result and fail with the message on timeout', async () => {
    let calls = 0;
    await expect(waitFor(async () => (++calls >= 3 ? calls : undefined), { intervalMs: 1 })).resolves.toBe(3);
    await expect(waitFor(async () => false, { timeoutMs: 30, message: 'never' })).rejects.toThrow(
      'never not met',
    );
  });

  it('captureLogs should capture lines with personal data redacted', () => {
    const logs = captureLogs();
    logs.logger.info({ email: 'ann@example.com', count: 2 }, 'hello');
    expect(logs.entries()).toEqual([expect.objectContaining({ msg: 'hello', count: 2 })]);
    expect(logs.text()).not.toContain('ann@example.com');
  });
});
