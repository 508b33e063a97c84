import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LruMap } from './lru-map';

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

/** How long one data key seals values before a fresh one is drawn and wrapped. */
export interface DataKeyLimits {
  /** Values sealed under one data key (default 10,000; AES-GCM with random IVs allows far more). */
  maxUsesPerDataKey?: number;
  /** Age of a data key after which it seals nothing more (default 5 minutes). */
  maxDataKeyAgeMs?: number;
  /** Unwrapped data keys kept for decryption, least recently used dropped (default 1024). */
  unwrappedKeyCacheSize?: number;
  now?: () => number;
}

interface CurrentDataKey {
  /** The provider's primary KEK when the key was drawn: a new primary retires it. */
  drawnUnder: string;
  keyId: string;
  key: Buffer;
  wrapped: string;
  uses: number;
  expiresAt: number;
}

/**
 * Field-level envelope encryption (AES-256-GCM): values are sealed under data keys wrapped by the
 * provider's primary KEK. Sealed form: `e1.<kekId>.<wrappedDataKey>.<iv|ciphertext|tag>` (base64url).
 * `context` is bound as associated data (e.g. `profile_store.identities.raw_value`), so a ciphertext
 * copied into another column does not decrypt.
 *
 * A data key seals up to `maxUsesPerDataKey` values or for `maxDataKeyAgeMs`, whichever ends first,
 * and a new primary KEK takes effect with the next value; every value carries its wrapped data key,
 * so each decrypts on its own, and each has its own random IV. Unwrapped keys are cached by their
 * wrapped form. Before this, every value had a data key of its own: two AES-GCM operations (and,
 * with a KMS, a remote call) per value sealed or opened, which was the largest crypto cost of
 * ingesting new customers and of `pii:read` lookups. Reusing data keys within limits is what KMS
 * envelope libraries do (data key caching); erasure deletes sealed values, it never relied on keys.
 */
export class FieldEncryptor {
  private readonly maxUses: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly unwrapped: LruMap<string, Buffer>;
  private current: CurrentDataKey | undefined;
  private drawing: Promise<void> | undefined;

  constructor(
    private readonly provider: KeyEncryptionProvider,
    limits: DataKeyLimits = {},
  ) {
    this.maxUses = limits.maxUsesPerDataKey ?? 10_000;
    this.maxAgeMs = limits.maxDataKeyAgeMs ?? 5 * 60_000;
    this.now = limits.now ?? Date.now;
    this.unwrapped = new LruMap(limits.unwrappedKeyCacheSize ?? 1024);
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    const dataKey = await this.dataKeyForSealing();
    const sealed = aesGcmEncrypt(dataKey.key, Buffer.from(plaintext, 'utf8'), Buffer.from(context));
    return `${FORMAT}.${dataKey.keyId}.${dataKey.wrapped}.${sealed.toString('base64url')}`;
  }

  /** The data key to seal one more value with (counted as used), drawing a new one when due. */
  private async dataKeyForSealing(): Promise<CurrentDataKey> {
    for (;;) {
      const current = this.current;
      if (
        current &&
        current.uses < this.maxUses &&
        current.expiresAt > this.now() &&
        current.drawnUnder === this.provider.primaryKeyId
      ) {
        current.uses += 1;
        return current;
      }
      // Concurrent callers wait for one new key instead of each wrapping their own.
      this.drawing ??= this.drawDataKey().finally(() => {
        this.drawing = undefined;
      });
      await this.drawing;
    }
  }

  private async drawDataKey(): Promise<void> {
    // A copy, so a provider that keeps the key does not also keep the pool's other bytes alive.
    const key = Buffer.from(takeRandom(DATA_KEY_BYTES));
    const drawnUnder = this.provider.primaryKeyId;
    const { keyId, wrapped } = await this.provider.wrapKey(key);
    const wrappedText = wrapped.toString('base64url');
    this.unwrapped.set(`${keyId}.${wrappedText}`, key);
    this.current = {
      drawnUnder,
      keyId,
      key,
      wrapped: wrappedText,
      uses: 0,
      expiresAt: this.now() + this.maxAgeMs,
    };
  }

  private async unwrap(keyId: string, wrapped: string): Promise<Buffer> {
    const cacheKey = `${keyId}.${wrapped}`;
    const cached = this.unwrapped.get(cacheKey);
    if (cached) return cached;
    const key = await this.provider.unwrapKey(keyId, Buffer.from(wrapped, 'base64url'));
    this.unwrapped.set(cacheKey, key);
    return key;
  }

  async decrypt(sealed: string, context: string): Promise<string> {
    const [format, keyId, wrapped, body] = sealed.split('.');
    if (format !== FORMAT || !keyId || !wrapped || !body) throw new Error('not an e1 envelope');
    const dataKey = await this.unwrap(keyId, wrapped);
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
    const dataKey = await this.unwrap(keyId, wrapped);
    const next = await this.provider.wrapKey(dataKey);
    return [FORMAT, next.keyId, next.wrapped.toString('base64url'), body].join('.');
  }
}
