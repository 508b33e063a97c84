export { migrations } from './migrations';
export { registerProfileStoreCommands } from './cli';
export { buildApp, type ProfileStoreAppDeps } from './app';
export { ProfileStoreConfigSchema, type ProfileStoreConfig } from './config';
export { createProfileStoreCore, type ProfileStoreCore } from './profile-store-core';
export { ingestResolvedBatch } from './features/ingestion/ingest-batch';
export { createOutboxRelay, type OutboxRelay } from './features/outbox/outbox-relay';
export type { AuditSink } from './features/profiles/audit-sink';
