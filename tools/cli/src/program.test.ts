import { AppError } from '@tessera/contracts';
import type { Command } from 'commander';
import { ExitCodes } from './cli-error';
import { createProgram, reportError, runCli } from './program';
import { fakeCli, type FakeCli } from './test-support/fake-cli';

async function run(args: string[], env: NodeJS.ProcessEnv = {}, extra: Array<(p: Command) => void> = []) {
  const cli: FakeCli = fakeCli(env);
  const program = createProgram(cli.ctx, { version: '9.9.9', migrations: [], serviceCommands: extra });
  const code = await runCli(program, ['node', 'tessera', ...args], cli.ctx);
  return { ...cli, code, stdout: cli.out.join('\n'), stderr: cli.err.join('\n') };
}

describe('tessera program', () => {
  it('topics create should provision the catalogue under the prefix with the partition cap', async () => {
    const r = await run(['topics', 'create', '--partitions', '3'], { TOPIC_PREFIX: 'dev1.' });
    expect(r.code).toBe(ExitCodes.ok);
    expect(r.kafka.adminClient.ensureCalls).toEqual([
      { ids: expect.arrayContaining(['intake', 'deadLetter']), extra: [], opts: { partitions: 3 } },
    ]);
    expect(r.stdout).toMatch(/^TOPIC\s+ID\s+PARTITIONS\s+CLEANUP\s+RETENTION\s+STATUS/);
    expect(r.stdout).toMatch(/dev1\.tessera\.events\.ingested\.v1\s+eventsIngested\s+3\s+delete\s+7d\s+ok/);
    expect(r.stdout).toMatch(/dev1\.tessera\.access\.keys\.v1\s+accessKeys\s+1\s+compact\s+compacted\s+ok/);
    expect(r.kafka.adminClient.disconnected).toBe(true);
    expect(r.closed()).toBe(true);
  });

  it('topics create should only touch the requested catalogue ids', async () => {
    const r = await run(['topics', 'create', '--topics', 'accessKeys,deadLetter']);
    expect(r.code).toBe(ExitCodes.ok);
    expect(r.kafka.adminClient.ensureCalls[0]).toMatchObject({ ids: ['accessKeys', 'deadLetter'], opts: {} });
    expect(r.stdout.split('\n')).toHaveLength(3);
  });

  it('topics describe --check should fail when a catalogue topic is missing', async () => {
    const r = await run(['topics', 'describe', '--check']);
    expect(r.code).toBe(ExitCodes.failure);
    expect(r.stdout).toMatch(/tessera\.intake\.v1\s+intake\s+-\s+-\s+-\s+missing/);
    expect(r.stderr).toMatch(/error: 12 topic\(s\) not provisioned/);
  });

  it('topics describe --json should print one object per catalogue topic', async () => {
    const r = await run(['topics', 'describe', '--json', '--topics', 'audit']);
    expect(r.code).toBe(ExitCodes.ok);
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({ id: 'audit', status: 'missing', expectedPartitions: 3 }),
    ]);
  });

  it('bad flag values should be usage errors (exit 2) that name the flag', async () => {
    const zero = await run(['topics', 'create', '--partitions', '0']);
    expect(zero.code).toBe(ExitCodes.usage);
    expect(zero.stderr).toMatch(/--partitions <n>.*must be a positive integer \(got "0"\)/);

    const unknownTopic = await run(['topics', 'create', '--topics', 'events']);
    expect(unknownTopic.code).toBe(ExitCodes.usage);
    expect(unknownTopic.stderr).toMatch(/unknown topic id\(s\): events \(known: intake, eventsIngested/);
    expect(unknownTopic.kafka.adminClient.ensureCalls).toEqual([]);
  });

  it('keys create should reject unknown scopes before connecting to Kafka', async () => {
    const r = await run(['keys', 'create', '--name', 'web', '--scopes', 'ingest:write,profiles:read']);
    expect(r.code).toBe(ExitCodes.usage);
    expect(r.stderr).toMatch(/unknown scope\(s\): profiles:read \(known: ingest:write, profile:read/);
    expect(r.kafka.consumersCreated).toBe(0);
  });

  it('keys create should require --name and --scopes', async () => {
    const r = await run(['keys', 'create', '--scopes', 'ingest:write']);
    expect(r.code).toBe(ExitCodes.usage);
    expect(r.stderr).toMatch(/required option '--name <name>' not specified/);
  });

  it('dlq replay should refuse to replay everything without a selection', async () => {
    const r = await run(['dlq', 'replay']);
    expect(r.code).toBe(ExitCodes.usage);
    expect(r.stderr).toMatch(/replay needs a selection/);
    expect(r.kafka.consumersCreated).toBe(0);
  });

  it('an invalid environment should exit 78 naming the variable', async () => {
    const r = await run(['topics', 'describe'], { TOPIC_PREFIX: 'not ok!' });
    expect(r.code).toBe(ExitCodes.config);
    expect(r.stderr).toMatch(/TOPIC_PREFIX/);
  });

  it('unknown commands should be usage errors and --help should succeed', async () => {
    const unknown = await run(['topic', 'create']);
    expect(unknown.code).toBe(ExitCodes.usage);
    expect(unknown.stderr).toMatch(/unknown command 'topic'/);

    const help = await run(['--help']);
    expect(help.code).toBe(ExitCodes.ok);
    for (const command of ['topics', 'migrate', 'keys', 'dlq', 'deploy'])
      expect(help.stdout).toContain(command);

    const version = await run(['--version']);
    expect(version.code).toBe(ExitCodes.ok);
    expect(version.stdout).toBe('9.9.9');
  });

  it('service command groups should be composed into the program', async () => {
    const seen: string[] = [];
    const register = (program: Command) => {
      program
        .command('sources')
        .command('list')
        .action(() => {
          seen.push('sources list');
        });
    };
    const r = await run(['sources', 'list'], {}, [register]);
    expect(r.code).toBe(ExitCodes.ok);
    expect(seen).toEqual(['sources list']);
  });
});

describe('reportError', () => {
  it('reportError should map unreachable dependencies to exit 69', () => {
    const cli = fakeCli();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(reportError(refused, cli.ctx)).toBe(ExitCodes.unavailable);
    expect(
      reportError(new AppError('UPSTREAM_UNAVAILABLE', 'broker down', { retryable: true }), cli.ctx),
    ).toBe(ExitCodes.unavailable);
    expect(cli.err).toEqual([
      'error: cannot reach a dependency: connect ECONNREFUSED 127.0.0.1:5432',
      'error: UPSTREAM_UNAVAILABLE: broker down',
    ]);
  });

  it('reportError should print AppError details and exit 1', () => {
    const cli = fakeCli();
    const err = new AppError('NOT_FOUND', 'no API key with id abc', {
      details: [{ path: 'keyId', message: 'unknown' }],
    });
    expect(reportError(err, cli.ctx)).toBe(ExitCodes.failure);
    expect(cli.err).toEqual(['error: NOT_FOUND: no API key with id abc\n  - keyId: unknown']);
  });
});
