import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalKeyring } from '@tessera/crypto';
import { Command } from 'commander';
import { registerIngestCommands } from '../../cli';
import { startIngestHarness, type IngestHarness } from '../../test-support/ingest-harness';
import { sendGridSigner } from '../connectors/webhook-test-signers';

const SECRET = 'shpss_cli_secret_0123456789abcdef01234567';
let h: IngestHarness;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const keyring = `k1:${LocalKeyring.generateKey()}`;
  h = await startIngestHarness({ config: { INGEST_SECRETS_KEYRING: keyring } });
  env = {
    DATABASE_URL: String(h.pool.options.connectionString),
    KAFKA_BROKERS: h.testKafka.brokers.join(','),
    TOPIC_PREFIX: h.testKafka.prefix,
    INGEST_SECRETS_KEYRING: keyring,
  };
});
afterAll(async () => h?.close());

async function tessera(
  args: string[],
  overrides: NodeJS.ProcessEnv = {},
): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const program = new Command().exitOverride();
  registerIngestCommands(program, { out: (l) => lines.push(l), env: { ...env, ...overrides } });
  await program.parseAsync(args, { from: 'user' });
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

// `sources create` and `rotate-key` also publish keys to Kafka; @tessera/access's key directory
// leaves an admin connection open (the CLI exits the process, a jest worker cannot), so those two
// are covered through the same domain functions by write-keys.test.ts and the admin API test.
describe('tessera sources', () => {
  it('update should set, switch and clear webhook verification, and list should show it without secrets', async () => {
    await h.sources.create({ id: 'shop', name: 'Shop', channel: 'ecommerce' });
    const secretFile = join(mkdtempSync(join(tmpdir(), 'ingest-sources-cli-')), 'shopify-secret');
    writeFileSync(secretFile, `${SECRET}\n`);
    const [set] = await tessera(['sources', 'update', 'shop', '--shopify-secret-file', secretFile]);
    expect(set).toMatchObject({ id: 'shop', webhookVerification: { vendor: 'shopify' } });
    const { rows } = await h.pool.query<{ webhook_credential: string }>(
      `SELECT webhook_credential FROM sources WHERE id = 'shop'`,
    );
    // Sealed, and without its trailing newline: the file's text is trimmed.
    expect(rows[0]!.webhook_credential).toMatch(/^e1\./);
    expect(rows[0]!.webhook_credential).not.toContain(SECRET);

    const signer = sendGridSigner();
    const [switched] = await tessera([
      'sources',
      'update',
      'shop',
      '--region',
      'gb',
      '--sendgrid-public-key',
      signer.verificationKey,
      '--webhook-tolerance',
      '60',
    ]);
    expect(switched).toMatchObject({
      defaultRegion: 'GB',
      webhookVerification: { vendor: 'sendgrid', toleranceSeconds: 60 },
    });
    const listed = await tessera(['sources', 'list']);
    expect(listed).toEqual([expect.objectContaining({ id: 'shop', schemaVersion: 1 })]);
    expect(JSON.stringify(listed)).not.toContain(SECRET);

    const [cleared] = await tessera(['sources', 'update', 'shop', '--clear-webhook-verification']);
    expect(cleared).toMatchObject({ webhookVerification: null, defaultRegion: 'GB' });
  });

  it('contradictory webhook flags should fail before anything is written', async () => {
    await expect(
      tessera(['sources', 'update', 'shop', '--webhook-tolerance', '60', '--name', 'Renamed']),
    ).rejects.toThrow(/--webhook-tolerance goes with --sendgrid-public-key/);
    expect((await h.sources.get('shop'))!.name).toBe('Shop');
  });

  it('a Shopify secret without a keyring should fail and store nothing', async () => {
    const secretFile = join(mkdtempSync(join(tmpdir(), 'ingest-sources-cli-')), 'secret');
    writeFileSync(secretFile, SECRET);
    await expect(
      tessera(
        [
          'sources',
          'create',
          '--id',
          'nokeys',
          '--name',
          'N',
          '--channel',
          'ecommerce',
          '--shopify-secret-file',
          secretFile,
        ],
        { INGEST_SECRETS_KEYRING: undefined },
      ),
    ).rejects.toThrow(/INGEST_SECRETS_KEYRING/);
    expect(await h.sources.get('nokeys')).toBeUndefined();
  });
});
