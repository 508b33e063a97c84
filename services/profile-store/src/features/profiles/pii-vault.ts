import type { FieldEncryptor } from '@tessera/crypto';
import { type IdentifierHasher } from '@tessera/crypto';
import { identityEncryptionContext, traitEncryptionContext } from '../traits/pii-traits';

/**
 * The service's one door to personal data at rest: seals and opens trait and identity values,
 * and derives equality keys for sealed values from the identifier HMAC key (so "most frequent"
 * survivorship works without decrypting).
 */
export interface PiiVault {
  sealTrait(trait: string, value: unknown): Promise<string>;
  openTrait(trait: string, sealed: string): Promise<unknown>;
  sealIdentity(raw: string): Promise<string>;
  openIdentity(sealed: string): Promise<string>;
  valueKey(trait: string, value: unknown): string;
  rewrap(sealed: string): Promise<string>;
}

export function createPiiVault(encryptor: FieldEncryptor, hasher: IdentifierHasher): PiiVault {
  return {
    sealTrait: (trait, value) => encryptor.encrypt(JSON.stringify(value), traitEncryptionContext(trait)),
    openTrait: async (trait, sealed) =>
      JSON.parse(await encryptor.decrypt(sealed, traitEncryptionContext(trait))) as unknown,
    sealIdentity: (raw) => encryptor.encrypt(raw, identityEncryptionContext),
    openIdentity: (sealed) => encryptor.decrypt(sealed, identityEncryptionContext),
    valueKey: (trait, value) =>
      hasher(`trait_${trait.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 64), JSON.stringify(value)),
    rewrap: (sealed) => encryptor.rewrap(sealed),
  };
}
