export { getInfra, type Infra } from './infra';
export { createTestDatabase, type TestDatabase } from './database';
export { createTestRedis, deleteKeysByPrefix, type TestRedis } from './redis';
export {
  collectMessages,
  createTestKafka,
  type CollectOptions,
  type TestKafka,
  type TestKafkaOptions,
} from './kafka';
export { uniqueName, waitFor, type WaitForOptions } from './wait-for';
export { captureLogs, testLogger } from './logging';
export { startProxiedBroker, type ProxiedBroker } from './proxied-broker';
