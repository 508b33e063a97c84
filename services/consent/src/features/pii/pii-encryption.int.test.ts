import { FieldEncryptor, LocalKeyring } from '@tessera/crypto';
import { createConsentHarness } from '../../test-support/consent-harness';
import type { ConsentHarness } from '../../test-support/consent-harness';
import { createPiiVault } from './pii-vault';
import { reencryptPii } from './reencrypt-job';

describe('PII encryption at rest', () => {
  let h: ConsentHarness;
  beforeAll(async () => {
    h = await createConsentHarness();
  });
  afterAll(() => h.close());

  it('PII columns should be unreadable without the key and readable after rotation and re-encryption', async () => {
    const k1 = `k1:${LocalKeyring.generateKey()}`;
    const core = h.newCore({ PII_KEYRING: k1 });
    const created = await core.dsr.create({
      kind: 'erasure',
      jurisdiction: 'gdpr',
      subject: { identifiers: [{ type: 'email', value: 'Jane.Doe@example.com' }] },
      requester: { email: 'jane.doe@example.com' },
      actor: 'test',
    });
    const { rows } = await h.pool.query<{ t: string; subject_sealed: string; requester_sealed: string }>(
      'SELECT row_to_json(r)::text AS t, subject_sealed, requester_sealed FROM privacy_requests r WHERE request_id = $1',
      [created.requestId],
    );
    const row = rows[0]!;
    expect(row.t.toLowerCase()).not.toContain('jane.doe');
    expect(FieldEncryptor.keyIdOf(row.subject_sealed)).toBe('k1');
    // Another keyring (a stolen backup without the key) cannot open it.
    const stranger = createPiiVault(
      new FieldEncryptor(LocalKeyring.fromString(`k1:${LocalKeyring.generateKey()}`)),
    );
    await expect(stranger.open('subject', row.subject_sealed)).rejects.toThrow();
    // A ciphertext moved to another column does not open there.
    const vault1 = createPiiVault(new FieldEncryptor(LocalKeyring.fromString(k1)));
    await expect(vault1.open('requester', row.subject_sealed)).rejects.toThrow();

    // Rotation: k2 becomes primary, k1 stays for decryption until the job re-wrapped everything.
    const k2 = `k2:${LocalKeyring.generateKey()}`;
    const rotated = new FieldEncryptor(LocalKeyring.fromString(`${k2},${k1}`));
    expect(await reencryptPii(h.pool, rotated, 'k2')).toEqual({ scanned: 1, rewrapped: 1 });
    expect(await reencryptPii(h.pool, rotated, 'k2')).toEqual({ scanned: 1, rewrapped: 0 });

    const { rows: after } = await h.pool.query<{ subject_sealed: string; requester_sealed: string }>(
      'SELECT subject_sealed, requester_sealed FROM privacy_requests WHERE request_id = $1',
      [created.requestId],
    );
    expect(FieldEncryptor.keyIdOf(after[0]!.subject_sealed)).toBe('k2');
    const onlyK2 = createPiiVault(new FieldEncryptor(LocalKeyring.fromString(k2)));
    expect(await onlyK2.open('subject', after[0]!.subject_sealed)).toEqual({
      identifiers: [{ type: 'email', value: 'Jane.Doe@example.com' }],
    });
    expect(await onlyK2.open('requester', after[0]!.requester_sealed)).toEqual({
      email: 'jane.doe@example.com',
    });
  });
});
