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

describe('tessera sources', () => {
  it('create, update and rotate-key should manage settings, webhook verification and write keys', async () => {
    const secretFile = join(mkdtempSync(join(tmpdir(), 'ingest-sources-cli-')), 'shopify-secret');
    writeFileSync(secretFile, `${SECRET}\n`);
    const [created] = await tessera([
      'sources',
      'create',
      '--id',
      'shop',
      '--name',
      'Shop',
      '--channel',
      'ecommerce',
      '--shopify-secret-file',
      secretFile,
    ]);
    expect(created).toEqual({
      source: expect.objectContaining({
        id: 'shop',
        webhookVerification: expect.objectContaining({ vendor: 'shopify' }),
      }),
      writeKey: expect.stringMatching(/^tsk_/),
      keyId: expect.any(String),
    });
    expect(JSON.stringify(await h.pool.query(`SELECT * FROM sources`))).not.toContain(SECRET);

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
    const [cleared] = await tessera(['sources', 'update', 'shop', '--clear-webhook-verification']);
    expect(cleared).toMatchObject({ webhookVerification: null, defaultRegion: 'GB' });

    const [rotated] = await tessera(['sources', 'rotate-key', 'shop']);
    expect(rotated).toEqual({
      sourceId: 'shop',
      writeKey: expect.stringMatching(/^tsk_/),
      keyId: expect.any(String),
    });
    expect(rotated!.keyId).not.toBe(created!.keyId);
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
