#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createCliContext } from './cli-context';
import { createProgram, runCli } from './program';
import { serviceCommands, serviceMigrations, serviceRequiredEnv } from './service-composition';

function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : '0.0.0';
}

const ctx = createCliContext();
const program = createProgram(ctx, {
  version: packageVersion(),
  migrations: serviceMigrations,
  serviceCommands,
  serviceEnv: serviceRequiredEnv,
});

runCli(program, process.argv, ctx).then(
  (code) => {
    // Let stdout drain, then exit even if a client left a timer behind.
    process.exitCode = code;
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
