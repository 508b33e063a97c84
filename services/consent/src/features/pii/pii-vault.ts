import type { FieldEncryptor } from '@tessera/crypto';

/**
 * Sealing for the personal data this service stores (DSR subjects, requesters, corrections, export
 * bundles). Each column has its own context (AES-GCM associated data), so a ciphertext moved to
 * another column does not decrypt.
 */
export const PiiColumns = {
  subject: 'consent.privacy_requests.subject_sealed',
  requester: 'consent.privacy_requests.requester_sealed',
  payload: 'consent.privacy_requests.payload_sealed',
  bundle: 'consent.privacy_requests.bundle_sealed',
} as const;
export type PiiColumn = keyof typeof PiiColumns;

export interface PiiVault {
  seal(column: PiiColumn, value: unknown): Promise<string>;
  open<T = unknown>(column: PiiColumn, sealed: string): Promise<T>;
}

export function createPiiVault(encryptor: FieldEncryptor): PiiVault {
  return {
    seal: (column, value) => encryptor.encrypt(JSON.stringify(value), PiiColumns[column]),
    async open<T>(column: PiiColumn, sealed: string) {
      return JSON.parse(await encryptor.decrypt(sealed, PiiColumns[column])) as T;
    },
  };
}
