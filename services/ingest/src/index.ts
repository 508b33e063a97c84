export { migrations } from './migrations';
export { registerIngestCommands, type IngestCommandOptions } from './cli';
export {
  buildApp,
  createIngestPipeline,
  createSources,
  type IngestAppConfig,
  type IngestAppDeps,
} from './app';
export { IngestConfigSchema, type IngestConfig } from './config';
export { createIngestService, type IngestService } from './features/tracking/ingest-service';
export {
  createSuppressionList,
  createStaticSuppressionChecker,
  suppressionKeysOf,
  type SuppressionChecker,
  type SuppressionList,
} from './features/privacy/suppression-list';
export { createSourceStore, type SourceStore } from './features/sources/source-store';
export { createIntakeConsumer } from './consumers/intake-consumer';
export { createImportStore, type ImportStore } from './features/imports/import-store';
