import { AppError } from '@tessera/contracts';

/**
 * Thrown by every normalizer for a value that cannot be an identifier of its type. The message
 * never contains the value itself (it may be PII and messages reach logs and clients).
 */
export class IdentifierError extends AppError {
  readonly identifierType: string;

  constructor(identifierType: string, reason: string) {
    super('IDENTIFIER_INVALID', reason, { statusCode: 400 });
    this.name = 'IdentifierError';
    this.identifierType = identifierType;
  }
}

/** Trim, Unicode NFC, and collapse inner whitespace runs (used by free-text normalizers). */
export function cleanText(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
}
