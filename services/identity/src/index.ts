export { migrations } from './migrations';
export { registerIdentityCommands } from './cli';
export type { IdentityCommandOptions } from './cli';
export { buildApp } from './app';
export type { IdentityAppDeps } from './app';
export { IdentityConfigSchema } from './config';
export type { IdentityConfig } from './config';
export { createIdentityCore } from './identity-core';
export type { IdentityCore, IdentityCoreSettings } from './identity-core';
export { createResolver } from './features/resolution/resolver';
export type { Resolver, ResolvedBatch, ResolverDeps } from './features/resolution/resolver';
export type { CandidateMatch, CandidateMatcher } from './features/resolution/candidate-matcher';
export { noCandidateMatcher } from './features/resolution/candidate-matcher';
export type { ResolutionJournal, ResolutionRecord } from './features/resolution/resolution-journal';
export { createGraphStore } from './graph/graph-store';
export type { GraphStore } from './graph/graph-store';
export {
  compileRules,
  defaultIdentityRules,
  loadIdentityRules,
  IdentityRulesSchema,
} from './rules/identity-rules';
export type { CompiledRules, IdentityRules } from './rules/identity-rules';
export { createEventsIngestedConsumer } from './consumers/events-ingested-consumer';
export { createPrivacyCommandsConsumer } from './consumers/privacy-commands-consumer';
