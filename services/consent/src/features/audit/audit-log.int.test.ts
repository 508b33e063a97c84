import type { AuditEventV1 } from '@tessera/contracts';
import { uuidv7 } from '@tessera/contracts';
import { createConsentHarness } from '../../test-support/consent-harness';
import type { ConsentHarness } from '../../test-support/consent-harness';
import type { AuditStore } from './audit-store';

const entry = (n: number, at = new Date()): AuditEventV1 => ({
  schemaVersion: 1,
  auditId: uuidv7(),
  service: 'profile-store',
  action: 'pii.read',
  actor: `key${n}`,
  purpose: 'support',
  subject: { profileId: '01890000-0000-7000-8000-00000000c001' },
  details: { fields: ['email'], n },
  at: at.toISOString(),
});

async function bypassingTriggers(h: ConsentHarness, sql: string): Promise<void> {
  const client = await h.pool.connect();
  try {
    await client.query("SET session_replication_role = 'replica'");
    await client.query(sql);
  } finally {
    await client.query("SET session_replication_role = 'origin'");
    client.release();
  }
}

describe('audit log', () => {
  let h: ConsentHarness;
  let audit: AuditStore;

  beforeEach(async () => {
    h = await createConsentHarness();
    audit = h.newCore().audit;
  });
  afterEach(() => h.close());

  it('audit log should chain entries, ignore redelivered ones and verify clean', async () => {
    const entries = [entry(1), entry(2), entry(3)];
    expect(await audit.append(entries)).toBe(3);
    expect(await audit.append([entries[1]!, entry(4)])).toBe(1);
    const result = await audit.verify({ pageSize: 2 });
    expect(result).toMatchObject({ ok: true, verified: 4 });
  });

  it('audit log should refuse UPDATE and DELETE through the trigger', async () => {
    await audit.append([entry(1)]);
    await expect(h.pool.query("UPDATE audit_log SET entry = '{}'::jsonb")).rejects.toThrow(/append-only/);
    await expect(h.pool.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('audit verify should report the first altered row when the trigger is bypassed', async () => {
    await audit.append([entry(1), entry(2), entry(3), entry(4)]);
    // What an attacker with superuser rights would do: switch triggers off and rewrite history.
    await bypassingTriggers(
      h,
      `UPDATE audit_log SET entry = jsonb_set(entry, '{actor}', '"someone-else"') WHERE seq = 3`,
    );
    const result = await audit.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ seq: 3, kind: 'hash_mismatch' });
    expect(result.verified).toBe(2);
  });

  it('audit purge should drop a whole prefix, leave a signed checkpoint and keep the chain verifiable', async () => {
    await audit.append([entry(1), entry(2), entry(3)]);
    await bypassingTriggers(
      h,
      "UPDATE audit_log SET appended_at = now() - interval '500 days' WHERE seq <= 2",
    );
    const purge = await audit.purgeBefore(new Date(Date.now() - 400 * 86_400_000));
    expect(purge).toEqual({ purged: 2, throughSeq: 2 });
    await audit.append([entry(4)]);
    expect(await audit.verify()).toMatchObject({ ok: true, verified: 2, anchor: { throughSeq: 2 } });

    await h.pool.query("UPDATE audit_checkpoints SET hash = repeat('a', 64)");
    expect((await audit.verify()).firstBreak).toMatchObject({ kind: 'checkpoint_signature_invalid' });
  });
});
