export { migrations } from './migrations';
export { registerProfileStoreCommands } from './cli';
export { buildApp, type ProfileStoreAppDeps } from './app';
export { ProfileStoreConfigSchema, type ProfileStoreConfig } from './config';
export { createProfileStoreCore, type ProfileStoreCore } from './profile-store-core';
export { ingestResolvedBatch } from './features/ingestion/ingest-batch';
export { createOutboxAuditSink, type AuditSink } from './features/profiles/audit-sink';
export { createProfileService, type ProfileService } from './features/profiles/profile-service';
export { normalizeForLookup } from './features/profiles/identifier-normalizer';
