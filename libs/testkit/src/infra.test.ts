import { envOverrides, exportInfra, hostPort, infraFromEnv, LOCAL_INFRA } from './infra';

describe('infra resolution', () => {
  it('infraFromEnv should need all three addresses and split broker lists', () => {
    const env = { KAFKA_BROKERS: 'a:1, b:2,', DATABASE_URL: 'postgres://x/y', REDIS_URL: 'redis://r:1' };
    expect(infraFromEnv(env)).toEqual({
      kafkaBrokers: ['a:1', 'b:2'],
      databaseUrl: 'postgres://x/y',
      redisUrl: 'redis://r:1',
    });
    expect(infraFromEnv({ KAFKA_BROKERS: 'a:1' })).toBeUndefined();
    expect(envOverrides({ REDIS_URL: 'redis://r:1' })).toEqual({ redisUrl: 'redis://r:1' });
  });

  it('exportInfra should write addresses that infraFromEnv reads back', () => {
    const env: NodeJS.ProcessEnv = {};
    exportInfra(LOCAL_INFRA, env);
    expect(infraFromEnv(env)).toEqual(LOCAL_INFRA);
  });

  it('hostPort should read brokers and URLs with default ports', () => {
    expect(hostPort('127.0.0.1:9092', 1)).toEqual({ host: '127.0.0.1', port: 9092 });
    expect(hostPort('postgres://postgres@db.local/postgres', 5432)).toEqual({ host: 'db.local', port: 5432 });
    expect(hostPort('redis://127.0.0.1:6380', 6379)).toEqual({ host: '127.0.0.1', port: 6380 });
  });
});
