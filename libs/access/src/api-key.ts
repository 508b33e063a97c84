import { randomInt } from 'node:crypto';
import { AccessKeyV1Schema, validationError, type AccessKeyV1, type Scope } from '@tessera/contracts';
import { randomToken, sha256Hex } from '@tessera/crypto';

export const TOKEN_PREFIX = 'tsk_';
const KEY_ID_LENGTH = 16;
const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_BYTES = 32;
// keyId has no underscore, so the first one after it separates the (base64url) secret.
const TOKEN_PATTERN = /^tsk_([a-z0-9]{8,32})_([A-Za-z0-9_-]{16,128})$/;

/** A key that passed verification: what request handlers may know about the caller. */
export interface VerifiedKey {
  keyId: string;
  name: string;
  scopes: Scope[];
  sourceId?: string;
}

/** Splits `tsk_<keyId>_<secret>`; undefined for anything else. */
export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  return { keyId: match[1]!, secret: match[2]! };
}

function newKeyId(): string {
  let id = '';
  for (let i = 0; i < KEY_ID_LENGTH; i += 1) id += KEY_ID_ALPHABET[randomInt(KEY_ID_ALPHABET.length)];
  return id;
}

/**
 * A new key: 16-character id, 256-bit random secret. The token (shown once) carries the secret;
 * the record keeps only its SHA-256, which is enough for a secret of that entropy.
 */
export function generateApiKey(
  input: { name: string; scopes: Scope[]; sourceId?: string },
  now: Date = new Date(),
): { token: string; record: AccessKeyV1 } {
  const keyId = newKeyId();
  const secret = randomToken(SECRET_BYTES);
  const parsed = AccessKeyV1Schema.safeParse({
    schemaVersion: 1,
    keyId,
    secretSha256: sha256Hex(secret),
    name: input.name,
    scopes: [...new Set(input.scopes)],
    ...(input.sourceId !== undefined ? { sourceId: input.sourceId } : {}),
    createdAt: now.toISOString(),
  });
  // Bad names, empty or unknown scopes: a 400 with field paths, not a bare ZodError.
  if (!parsed.success) throw validationError(parsed.error);
  const record = parsed.data;
  return { token: `${TOKEN_PREFIX}${keyId}_${secret}`, record };
}

export function toVerifiedKey(record: AccessKeyV1): VerifiedKey {
  return {
    keyId: record.keyId,
    name: record.name,
    scopes: record.scopes,
    ...(record.sourceId !== undefined ? { sourceId: record.sourceId } : {}),
  };
}
