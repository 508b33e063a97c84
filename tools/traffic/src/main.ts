#!/usr/bin/env node
import { Command } from 'commander';
import { addTrafficSubcommands } from './cli/traffic-commands';

const program = new Command('tessera-traffic').description(
  'Synthetic multi-channel traffic for Tessera: generate, send, score, demo',
);
addTrafficSubcommands(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tessera-traffic: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
