import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Where key-encryption keys (KEKs) live. The default is a local keyring from env/secret; a KMS
 * (AWS KMS, GCP KMS, Vault transit) implements the same three members. Data keys never leave
 * the process unwrapped.
 */
export interface KeyEncryptionProvider {
  /** The KEK id new data is wrapped with. */
  readonly primaryKeyId: string;
  wrapKey(dataKey: Buffer): Promise<{ keyId: string; wrapped: Buffer }>;
  unwrapKey(keyId: string, wrapped: Buffer): Promise<Buffer>;
}

const FORMAT = 'e1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

// Sealing a value needs 56 random bytes (data key, two IVs); one randomBytes call per item was the
// largest single cost of a first sighting in profile-store's CPU profile. They are drawn from a pool
// instead: each refill is a fresh buffer from the CSPRNG, every byte is handed out once (the offset
// only moves forward), and handed-out views are never written to again, so an IV or key cannot repeat.
const RANDOM_POOL_BYTES = 16 * 1024;
let randomPool = Buffer.alloc(0);
let randomPoolOffset = 0;

function takeRandom(bytes: number): Buffer {
  if (randomPoolOffset + bytes > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomPoolOffset = 0;
  }
  const out = randomPool.subarray(randomPoolOffset, randomPoolOffset + bytes);
  randomPoolOffset += bytes;
  return out;
}

function aesGcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = takeRandom(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const final = cipher.final(); // GCM is a stream mode: empty, but it completes the tag
  return Buffer.concat([iv, body, final, cipher.getAuthTag()]);
}

function aesGcmDecrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

/** A local keyring: `keyId:base64key` pairs, the first is primary. Keys are 32 random bytes. */
export class LocalKeyring implements KeyEncryptionProvider {
  readonly primaryKeyId: string;
  private readonly keys: Map<string, Buffer>;

  constructor(keys: Array<{ keyId: string; key: Buffer }>) {
    if (keys.length === 0) throw new Error('keyring needs at least one key');
    for (const { keyId, key } of keys) {
      if (key.length !== 32) throw new Error(`keyring key ${keyId} must be 32 bytes, got ${key.length}`);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(keyId))
        throw new Error(`keyring key id ${keyId} is not [A-Za-z0-9_-]{1,32}`);
    }
    this.keys = new Map(keys.map((k) => [k.keyId, k.key]));
    this.primaryKeyId = keys[0]!.keyId;
  }

  /** Parses `PII_KEYRING="k2:BASE64,k1:BASE64"` (primary first; older keys stay for decryption). */
  static fromString(spec: string): LocalKeyring {
    return new LocalKeyring(
      spec
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => {
          const [keyId, encoded] = part.split(':');
          if (!keyId || !encoded) throw new Error('keyring entries look like keyId:base64key');
          return { keyId, key: Buffer.from(encoded, 'base64') };
        }),
    );
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  async wrapKey(dataKey: Buffer): Promise<{ keyId: string; wrapped: Buffer }> {
    const keyId = this.primaryKeyId;
    return { keyId, wrapped: aesGcmEncrypt(this.keys.get(keyId)!, dataKey, Buffer.from(keyId)) };
  }

  async unwrapKey(keyId: string, wrapped: Buffer): Promise<Buffer> {
    const kek = this.keys.get(keyId);
    if (!kek) throw new Error(`key ${keyId} is not in the keyring`);
    return aesGcmDecrypt(kek, wrapped, Buffer.from(keyId));
  }
}

/**
 * Field-level envelope encryption (AES-256-GCM): each value gets its own data key, wrapped by the
 * provider's primary KEK. Sealed form: `e1.<kekId>.<wrappedDataKey>.<iv|ciphertext|tag>` (base64url).
 * `context` is bound as associated data (e.g. `profile_store.identities.raw_value`), so a ciphertext
 * copied into another column does not decrypt.
 */
export class FieldEncryptor {
  constructor(private readonly provider: KeyEncryptionProvider) {}

  async encrypt(plaintext: string, context: string): Promise<string> {
    // A copy, so a provider that keeps the key does not also keep the pool's other bytes alive.
    const dataKey = Buffer.from(takeRandom(DATA_KEY_BYTES));
    const { keyId, wrapped } = await this.provider.wrapKey(dataKey);
    const sealed = aesGcmEncrypt(dataKey, Buffer.from(plaintext, 'utf8'), Buffer.from(context));
    return [FORMAT, keyId, wrapped.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  async decrypt(sealed: string, context: string): Promise<string> {
    const [format, keyId, wrapped, body] = sealed.split('.');
    if (format !== FORMAT || !keyId || !wrapped || !body) throw new Error('not an e1 envelope');
    const dataKey = await this.provider.unwrapKey(keyId, Buffer.from(wrapped, 'base64url'));
    return aesGcmDecrypt(dataKey, Buffer.from(body, 'base64url'), Buffer.from(context)).toString('utf8');
  }

  /** The KEK id a sealed value is wrapped with (for rotation jobs: re-wrap those not on the primary). */
  static keyIdOf(sealed: string): string | undefined {
    return sealed.split('.')[1];
  }

  /** Re-wraps the data key under the current primary KEK without touching the ciphertext. */
  async rewrap(sealed: string): Promise<string> {
    const [format, keyId, wrapped, body] = sealed.split('.');
    if (format !== FORMAT || !keyId || !wrapped || !body) throw new Error('not an e1 envelope');
    if (keyId === this.provider.primaryKeyId) return sealed;
    const dataKey = await this.provider.unwrapKey(keyId, Buffer.from(wrapped, 'base64url'));
    const next = await this.provider.wrapKey(dataKey);
    return [FORMAT, next.keyId, next.wrapped.toString('base64url'), body].join('.');
  }
}
