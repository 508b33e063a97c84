import { AppError } from '@tessera/contracts';
import { ConfigError } from '@tessera/config';
import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context';
import { CliError, ExitCodes } from './cli-error';
import { registerDeployCommands } from './commands/deploy';
import { registerDlqCommands } from './commands/dlq';
import { registerKeysCommands } from './commands/keys';
import { registerMigrateCommand, type MigrationCatalogue } from './commands/migrate';
import { registerTopicsCommands } from './commands/topics';
import type { RequiredEnv } from './deploy/required-env';

/** A service's own command group (`register<Name>Commands` from its index). */
export type RegisterCommands = (program: Command) => void;

export interface ProgramParts {
  version: string;
  migrations: MigrationCatalogue;
  serviceCommands: RegisterCommands[];
  /** Variables each service cannot start without, for `deploy check`. */
  serviceEnv?: RequiredEnv;
}

/**
 * The `tessera` command tree. Platform-wide commands live here; each service contributes its own
 * group, so the CLI grows with the services without this file knowing their internals.
 */
export function createProgram(ctx: CliContext, parts: ProgramParts): Command {
  const program = new Command('tessera')
    .description('Tessera operator CLI: topics, migrations, API keys, dead letters and every service')
    .version(parts.version)
    .showHelpAfterError('(run with --help for usage)')
    // Settings below are inherited by every subcommand created through program.command().
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.out(text.replace(/\n$/, '')),
      writeErr: (text) => ctx.io.err(text.replace(/\n$/, '')),
    });

  registerTopicsCommands(program, ctx);
  registerMigrateCommand(program, ctx, parts.migrations);
  registerKeysCommands(program, ctx);
  registerDlqCommands(program, ctx);
  registerDeployCommands(program, ctx, parts.serviceEnv);
  for (const register of parts.serviceCommands) register(program);
  return program;
}

function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  const name = (err as { name?: unknown }).name;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    name === 'KafkaJSConnectionError' ||
    name === 'KafkaJSNumberOfRetriesExceeded' ||
    (err instanceof AppError && err.code === 'UPSTREAM_UNAVAILABLE')
  );
}

/** Turns any failure into one readable stderr message and an exit code (see `ExitCodes`). */
export function reportError(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; usage errors were already printed by commander.
    return err.exitCode === 0 ? ExitCodes.ok : ExitCodes.usage;
  }
  if (err instanceof CliError) {
    ctx.io.err(`error: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    ctx.io.err(`error: ${err.message}`);
    return ExitCodes.config;
  }
  if (err instanceof AppError) {
    const details = (err.details ?? []).map((d) => `\n  - ${d.path}: ${d.message}`).join('');
    ctx.io.err(`error: ${err.code}: ${err.message}${details}`);
    return isUnavailable(err) ? ExitCodes.unavailable : ExitCodes.failure;
  }
  if (isUnavailable(err) || (err instanceof Error && err.cause !== undefined && isUnavailable(err.cause))) {
    ctx.io.err(`error: cannot reach a dependency: ${(err as Error).message}`);
    return ExitCodes.unavailable;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.io.err(`error: ${message}`);
  if (ctx.env.TESSERA_DEBUG === '1' && err instanceof Error && err.stack) ctx.io.err(err.stack);
  return ExitCodes.failure;
}

/** Parses `argv` (node-style, with the executable and script first), runs the command, cleans up. */
export async function runCli(program: Command, argv: string[], ctx: CliContext): Promise<number> {
  let code: number = ExitCodes.ok;
  try {
    await program.parseAsync(argv);
  } catch (err) {
    code = reportError(err, ctx);
  }
  await ctx.close();
  return code;
}
