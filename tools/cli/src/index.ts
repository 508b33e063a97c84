export {
  createCliContext,
  processIo,
  type CliContext,
  type CliContextOptions,
  type CliIo,
} from './cli-context';
export { CliConfigSchema, parseCliConfig, type CliConfig } from './cli-config';
export { CliError, ExitCodes, usageError, type ExitCode } from './cli-error';
export { createProgram, reportError, runCli, type ProgramParts, type RegisterCommands } from './program';
export { ensureDatabase, type MigrationCatalogue, type ServiceMigrations } from './commands/migrate';
export { checkDeployTargets, kustomizeTargets } from './commands/deploy';
export { renderKustomization, strategicMerge, type Manifest } from './deploy/kustomize';
export { checkManifests } from './deploy/manifest-check';
export { checkComposeFile } from './deploy/compose-check';
export { formatTable, formatDurationMs } from './format';
