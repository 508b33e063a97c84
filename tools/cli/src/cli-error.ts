/**
 * Exit codes of the `tessera` command, after sysexits(3) where one fits, so scripts can tell a
 * typo from an outage.
 */
export const ExitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  unavailable: 69,
  config: 78,
} as const;
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/** An operator-facing failure: its message is printed as is, without a stack. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = ExitCodes.failure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A bad flag value: same exit code as commander's own usage errors. */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCodes.usage);
}
