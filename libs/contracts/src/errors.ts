import { z } from 'zod';

/** Every error code the platform returns or records. One list, so clients can switch on it. */
export const ErrorCodes = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'WRITE_KEY_REVOKED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'NOT_FOUND',
  'PROFILE_NOT_FOUND',
  'CONFLICT',
  'EVENT_SCHEMA_INVALID',
  'IDENTIFIER_INVALID',
  'SUBJECT_SUPPRESSED',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

export interface ErrorIssue {
  path: string;
  message: string;
}

/** The one error body every HTTP API returns. */
export const ErrorBodySchema = z.object({
  code: z.enum(ErrorCodes),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export interface AppErrorOptions {
  statusCode?: number;
  retryable?: boolean;
  details?: ErrorIssue[];
  cause?: unknown;
  headers?: Record<string, string>;
}

/** An error with a code from the catalogue; HTTP handlers and consumers decide by its flags. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly retryable: boolean;
  readonly details: ErrorIssue[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** zod issues as `{ path, message }` with dotted paths (`batch.3.userId`). */
export function issuesFromZod(error: z.ZodError, prefix: (string | number)[] = []): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

export function validationError(error: z.ZodError, prefix: (string | number)[] = []): AppError {
  return new AppError('VALIDATION_FAILED', 'request failed validation', {
    statusCode: 400,
    details: issuesFromZod(error, prefix),
  });
}
