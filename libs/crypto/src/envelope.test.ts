import { FieldEncryptor, LocalKeyring } from './envelope';

describe('FieldEncryptor', () => {
  const k1 = LocalKeyring.generateKey();
  const k2 = LocalKeyring.generateKey();

  it('FieldEncryptor should round-trip and never contain the plaintext', async () => {
    const enc = new FieldEncryptor(LocalKeyring.fromString(`k1:${k1}`));
    const sealed = await enc.encrypt('ada@example.com', 'test.col');
    expect(sealed).not.toContain('ada');
    expect(await enc.decrypt(sealed, 'test.col')).toBe('ada@example.com');
  });

  it('FieldEncryptor should refuse a ciphertext moved to another context', async () => {
    const enc = new FieldEncryptor(LocalKeyring.fromString(`k1:${k1}`));
    const sealed = await enc.encrypt('secret', 'a');
    await expect(enc.decrypt(sealed, 'b')).rejects.toThrow();
  });

  it('FieldEncryptor should decrypt old values after rotation and rewrap them to the new key', async () => {
    const old = new FieldEncryptor(LocalKeyring.fromString(`k1:${k1}`));
    const sealed = await old.encrypt('+4915112345678', 'c');
    const rotated = new FieldEncryptor(LocalKeyring.fromString(`k2:${k2},k1:${k1}`));
    expect(await rotated.decrypt(sealed, 'c')).toBe('+4915112345678');
    const rewrapped = await rotated.rewrap(sealed);
    expect(FieldEncryptor.keyIdOf(rewrapped)).toBe('k2');
    const onlyNew = new FieldEncryptor(LocalKeyring.fromString(`k2:${k2}`));
    expect(await onlyNew.decrypt(rewrapped, 'c')).toBe('+4915112345678');
    await expect(onlyNew.decrypt(sealed, 'c')).rejects.toThrow(/not in the keyring/);
  });

  it('FieldEncryptor should open values sealed in the e1 format before the random pool', async () => {
    // Sealed by the version that called randomBytes per key and IV; the format must not change.
    const kek = Buffer.alloc(32, 7).toString('base64');
    const enc = new FieldEncryptor(LocalKeyring.fromString(`k1:${kek}`));
    const sealed =
      'e1.k1.zkHk7HDzNGMhO4kLWKgx8HJTSdiEjlX_pHdxahcF1I4gu3mF35LJRbx48lZPRiY3KabgHpFa3Jj-zEgU.' +
      'fhad2Wd8DhrBx1F-QC5tUR8Y58KAe7L6ofvuAiZcK6ZEhw4s5Tnd6ydVIA';
    expect(await enc.decrypt(sealed, 'profile_store.identities.raw_value')).toBe('ada@example.com');
    const fresh = await enc.encrypt('ada@example.com', 'x');
    const [format, keyId, wrapped, body] = fresh.split('.');
    expect([format, keyId]).toEqual(['e1', 'k1']);
    // iv | AES-256-GCM(32-byte data key) | tag, and iv | ciphertext | tag.
    expect(Buffer.from(wrapped!, 'base64url')).toHaveLength(12 + 32 + 16);
    expect(Buffer.from(body!, 'base64url')).toHaveLength(12 + 'ada@example.com'.length + 16);
  });

  it('FieldEncryptor should never repeat an IV or a data key, across pool refills', async () => {
    const keyring = LocalKeyring.fromString(`k1:${k1}`);
    const enc = new FieldEncryptor(keyring);
    const ivs = new Set<string>();
    const dataKeys = new Set<string>();
    const values = 1500; // 56 random bytes each: several 16 KiB pool refills
    const sealed = await Promise.all(Array.from({ length: values }, (_, i) => enc.encrypt(`v${i}`, 'c')));
    for (const value of sealed) {
      const [, keyId, wrapped, body] = value.split('.');
      const wrappedBytes = Buffer.from(wrapped!, 'base64url');
      ivs.add(wrappedBytes.subarray(0, 12).toString('hex'));
      ivs.add(Buffer.from(body!, 'base64url').subarray(0, 12).toString('hex'));
      dataKeys.add((await keyring.unwrapKey(keyId!, wrappedBytes)).toString('hex'));
    }
    expect(ivs.size).toBe(2 * values);
    expect(dataKeys.size).toBe(values);
    expect(await Promise.all(sealed.map((s) => enc.decrypt(s, 'c')))).toEqual(
      Array.from({ length: values }, (_, i) => `v${i}`),
    );
  });
});
