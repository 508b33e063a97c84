import { Command } from 'commander';
import { uuidv7 } from '@tessera/contracts';
import { captureLogs } from '@tessera/testkit';
import { registerConsentCommands } from './cli';
import { createConsentHarness } from './test-support/consent-harness';
import type { ConsentHarness } from './test-support/consent-harness';

describe('tessera consent commands', () => {
  let h: ConsentHarness;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await createConsentHarness();
    env = {
      ...h.settings,
      DATABASE_URL: h.db.url,
      DSR_REQUIRED_SERVICES: 'identity,profile-store',
      CONSENT_OPT_OUT_PURPOSES: 'sale_sharing',
      LOG_LEVEL: 'silent',
    } as unknown as NodeJS.ProcessEnv;
    delete env.CONSENT_EXTRA_PURPOSES;
    delete env.DESTINATIONS_FILE;
  });
  afterAll(() => h.close());

  async function run(args: string[]): Promise<string[]> {
    const lines: string[] = [];
    const program = new Command().exitOverride();
    registerConsentCommands(program, { env, out: (line) => lines.push(line) });
    await program.parseAsync(['node', 'tessera', ...args]);
    return lines;
  }

  it('tessera audit verify should pass on an intact chain and fail naming the altered seq', async () => {
    const core = h.newCore();
    await core.audit.append(
      [1, 2, 3].map((n) => ({
        schemaVersion: 1 as const,
        auditId: uuidv7(),
        service: 'access',
        action: 'key.create' as const,
        actor: 'cli:ops',
        subject: {},
        details: { keyId: `key${n}` },
        at: new Date().toISOString(),
      })),
    );
    expect(JSON.parse((await run(['audit', 'verify']))[0]!)).toMatchObject({ ok: true, verified: 3 });

    const client = await h.pool.connect();
    try {
      await client.query("SET session_replication_role = 'replica'");
      await client.query(
        `UPDATE audit_log SET entry = jsonb_set(entry, '{details,keyId}', '"forged"') WHERE seq = 2`,
      );
    } finally {
      await client.query("SET session_replication_role = 'origin'");
      client.release();
    }
    await expect(run(['audit', 'verify'])).rejects.toThrow(/broken at seq 2 \(hash_mismatch\)/);
  });

  it('tessera dsr status and consent reencrypt should work without Kafka and never log the subject', async () => {
    const logs = captureLogs({ name: 'consent' });
    const core = h.newCore({}, { logger: logs.logger });
    const created = await core.dsr.create({
      kind: 'erasure',
      jurisdiction: 'lgpd',
      subject: { identifiers: [{ type: 'email', value: 'lee.ho@example.com' }] },
      actor: 'test',
    });
    // profile-store is unreachable here: the step fails, is logged and stays resumable.
    expect(await core.dsr.resumeOpen()).toBeGreaterThanOrEqual(1);
    const status = JSON.parse((await run(['dsr', 'status', created.requestId])).join('\n'));
    expect(status).toMatchObject({ requestId: created.requestId, status: 'received', daysRemaining: 14 });
    expect(status.lastError).toMatch(/^UPSTREAM_UNAVAILABLE/);
    const open = JSON.parse((await run(['dsr', 'status', '--open'])).join('\n')) as Array<{
      requestId: string;
    }>;
    expect(open.map((r) => r.requestId)).toContain(created.requestId);
    expect(JSON.parse((await run(['consent', 'reencrypt']))[0]!)).toEqual({ scanned: 1, rewrapped: 0 });
    expect(logs.lines().some((l) => l.includes('data-subject request step failed'))).toBe(true);
    expect(logs.lines().join('\n')).not.toContain('lee.ho');
  });
});
