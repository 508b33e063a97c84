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

  it('FieldEncryptor should never repeat an IV, and seal at most maxUsesPerDataKey values per data key', async () => {
    const keyring = LocalKeyring.fromString(`k1:${k1}`);
    const enc = new FieldEncryptor(keyring, { maxUsesPerDataKey: 100 });
    const ivs = new Set<string>();
    const uses = new Map<string, number>();
    const values = 1500; // several 16 KiB pool refills, and 15 data keys
    const sealed = await Promise.all(Array.from({ length: values }, (_, i) => enc.encrypt(`v${i}`, 'c')));
    for (const value of sealed) {
      const [, keyId, wrapped, body] = value.split('.');
      const wrappedBytes = Buffer.from(wrapped!, 'base64url');
      ivs.add(wrappedBytes.subarray(0, 12).toString('hex'));
      ivs.add(Buffer.from(body!, 'base64url').subarray(0, 12).toString('hex'));
      const dataKey = (await keyring.unwrapKey(keyId!, wrappedBytes)).toString('hex');
      uses.set(dataKey, (uses.get(dataKey) ?? 0) + 1);
    }
    expect(ivs.size).toBe(values + uses.size); // every value's IV, and each data key's wrapping IV
    expect([...uses.values()]).toEqual(Array.from({ length: values / 100 }, () => 100));
    expect(await Promise.all(sealed.map((s) => enc.decrypt(s, 'c')))).toEqual(
      Array.from({ length: values }, (_, i) => `v${i}`),
    );
  });

  /** A keyring that counts its wrap and unwrap calls, with a primary that can change. */
  function countingKeyring(spec: string) {
    const inner = LocalKeyring.fromString(spec);
    const calls = { wrap: 0, unwrap: 0 };
    let primary = inner.primaryKeyId;
    const keyrings = new Map([[primary, inner]]);
    return {
      calls,
      use(nextSpec: string) {
        const next = LocalKeyring.fromString(nextSpec);
        keyrings.set(next.primaryKeyId, next);
        primary = next.primaryKeyId;
      },
      provider: {
        get primaryKeyId() {
          return primary;
        },
        async wrapKey(dataKey: Buffer) {
          calls.wrap += 1;
          return keyrings.get(primary)!.wrapKey(dataKey);
        },
        async unwrapKey(keyId: string, wrapped: Buffer) {
          calls.unwrap += 1;
          return keyrings.get(keyId)!.unwrapKey(keyId, wrapped);
        },
      },
    };
  }

  it('FieldEncryptor should draw a new data key when the old one ages out or the primary KEK changes', async () => {
    let now = 0;
    const kr = countingKeyring(`k1:${k1}`);
    const enc = new FieldEncryptor(kr.provider, { maxDataKeyAgeMs: 1000, now: () => now });
    const wrappedOf = (sealed: string) => sealed.split('.').slice(1, 3).join('.');
    const a = await enc.encrypt('a', 'c');
    const b = await enc.encrypt('b', 'c');
    expect(wrappedOf(b)).toBe(wrappedOf(a));
    now = 1000;
    const c = await enc.encrypt('c', 'c');
    expect(wrappedOf(c)).not.toBe(wrappedOf(a));
    kr.use(`k2:${k2}`);
    const d = await enc.encrypt('d', 'c');
    expect(FieldEncryptor.keyIdOf(d)).toBe('k2');
    expect(kr.calls.wrap).toBe(3);
    expect(await Promise.all([a, b, c, d].map((s) => enc.decrypt(s, 'c')))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('FieldEncryptor should unwrap a data key once for all the values it sealed', async () => {
    const sealer = new FieldEncryptor(LocalKeyring.fromString(`k1:${k1}`));
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, i) => sealer.encrypt(`v${i}`, 'c')));
    const kr = countingKeyring(`k1:${k1}`);
    const opener = new FieldEncryptor(kr.provider);
    for (const s of sealed) await opener.decrypt(s, 'c');
    expect(kr.calls.unwrap).toBe(1);
    // A tampered wrapped key is not answered from the cache: it fails authentication.
    const [format, keyId, wrapped, body] = sealed[0]!.split('.');
    const flipped = Buffer.from(wrapped!, 'base64url');
    flipped[20]! ^= 1;
    await expect(
      opener.decrypt([format, keyId, flipped.toString('base64url'), body].join('.'), 'c'),
    ).rejects.toThrow();
  });
});
