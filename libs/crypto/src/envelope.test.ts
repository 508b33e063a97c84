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
});
