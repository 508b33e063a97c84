export { Rng, hashString } from './world/rng';
export * from './world/model';
export {
  generateWorld,
  generateWorldChunks,
  DEFAULT_START_AT,
  type GenerateOptions,
  type WorldChunk,
} from './world/generate-world';
export {
  writeWorld,
  readWorld,
  readMessages,
  readTruth,
  readManifest,
  readJsonl,
  writeJsonl,
  WorldFiles,
  type WorldManifest,
} from './world/world-io';
export { extractIdentifiers, type RawIdentifier } from './world/extract-identifiers';
export { canonicalEmail, mailboxKey } from './world/noise';
export {
  sendWorld,
  type SendOptions,
  type SendResult,
  type SendStats,
  type MessageOutcome,
} from './sender/send-world';
export { planUnits, unitsOf, pathFor, type SendUnit } from './sender/send-units';
export { TokenBucket } from './sender/token-bucket';
export { createSendProgress } from './sender/progress-bar';
export {
  computeQuality,
  pairwiseScores,
  eventProfile,
  identifierKey,
  type Clustering,
  type QualityReport,
  type PairwiseScores,
} from './quality/compute-quality';
export { fetchClustering, distinctIdentifiers } from './quality/fetch-clustering';
export { formatQuality } from './quality/format-quality';
export {
  PlatformClient,
  PlatformHttpError,
  type PlatformEndpoints,
  type FetchLike,
} from './platform/platform-client';
export { waitUntilSettled, type SettleResult } from './demo/wait-until-settled';
export { runDemo, type DemoOptions } from './demo/run-demo';
export { resolvePlatformSettings, type PlatformSettings } from './cli/platform-settings';
export { registerTrafficCommands, addTrafficSubcommands } from './cli/traffic-commands';
export { generateRoster, rosterPerson, type RosterOptions } from './world/roster';
