import { databaseEnv, kafkaEnv, parseConfig } from '@tessera/config';
import { z } from 'zod';

/**
 * What the operator CLI reads from the environment. Same variable names as the services, so one
 * env file serves both; the CLI logs only warnings by default because its output is for humans.
 */
export const CliConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});
export type CliConfig = z.infer<typeof CliConfigSchema>;

/** Throws `ConfigError` naming every bad variable (the CLI maps it to exit code 78). */
export function parseCliConfig(env: NodeJS.ProcessEnv): CliConfig {
  return parseConfig(CliConfigSchema, env);
}
