import { Command } from 'commander';
import { registerIdentityCommands } from './cli';
import { TEST_HASH_KEY, testEvent } from './test-support/fixtures';
import { useIdentityHarness } from './test-support/identity-harness';

jest.setTimeout(60_000);

const h = useIdentityHarness();

async function run(args: string[]): Promise<string[]> {
  const out: string[] = [];
  const program = new Command('tessera').exitOverride();
  registerIdentityCommands(program, {
    env: {
      DATABASE_URL: h().databaseUrl,
      REDIS_URL: h().redis.url,
      REDIS_KEY_PREFIX: h().redis.keyPrefix,
      IDENTITY_GRAPH_NAME: 'graph',
      IDENTITY_BUCKETS: '64',
      IDENTIFIER_HASH_KEY: TEST_HASH_KEY,
      LOG_LEVEL: 'silent',
    },
    out: (line) => out.push(line),
  });
  await program.parseAsync(['node', 'tessera', ...args]);
  return out;
}

describe('tessera identity CLI', () => {
  it('should rebuild the graph from Postgres and look identifiers up by value', async () => {
    const batch = await h().resolve(
      testEvent([
        ['email', 'cli@mail.org'],
        ['anonymous_id', 'cli-dev'],
      ]),
    );
    const profileId = batch.resolved[0]!.profileId;
    await h().core.graph.flush();
    expect(
      JSON.parse((await run(['identity', 'lookup', '--type', 'email', '--value', 'cli@mail.org']))[0]!)
        .profileId,
    ).toBeNull();
    const [rebuilt] = await run(['identity', 'rebuild']);
    expect(JSON.parse(rebuilt!)).toMatchObject({ profiles: 1, identifiers: 2 });
    expect(
      JSON.parse((await run(['identity', 'lookup', '--type', 'email', '--value', 'cli@mail.org']))[0]!)
        .profileId,
    ).toBe(profileId);
  });

  it('should reject an unmerge with a malformed profile id before touching anything', async () => {
    await expect(
      run([
        'identity',
        'unmerge',
        '--profile',
        'nope',
        '--identifier-type',
        'email',
        '--identifier-hash',
        'x'.repeat(22),
        '--reason',
        'test',
      ]),
    ).rejects.toThrow(/UUID/);
  });
});
