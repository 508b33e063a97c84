import {
  AppError,
  type ErrorBody,
  type ErrorCode,
  type ErrorIssue,
  validationError,
} from '@tessera/contracts';
import { z } from 'zod';

/** What the one error handler sends: status, extra headers and the `ErrorBody` (minus requestId). */
export interface MappedError {
  statusCode: number;
  headers: Record<string, string>;
  body: Omit<ErrorBody, 'requestId'>;
  /** True when the error is one we expected (4xx); false for bugs and outages (5xx). */
  expected: boolean;
  /** A 5xx that heals by itself (a dependency is down): logged as a warning, not an error. */
  transient: boolean;
}

interface FastifyValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Fastify's own 4xx errors, keyed by their code; their messages are fixed texts, safe to return. */
const FASTIFY_CLIENT_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'MALFORMED_JSON',
    message: 'request body is empty but declared as JSON',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'VALIDATION_FAILED',
    message: 'request body size did not match Content-Length',
  },
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** `/items/0/email` + missingProperty -> `items.0.email`; non-body parts keep their context. */
function validationPath(context: string | undefined, item: FastifyValidationItem): string {
  const segments = (item.instancePath ?? '').split('/').filter((s) => s.length > 0);
  const missing = item.params?.['missingProperty'];
  if (typeof missing === 'string') segments.push(missing);
  const additional = item.params?.['additionalProperty'];
  if (typeof additional === 'string') segments.push(additional);
  if (context && context !== 'body') segments.unshift(context);
  return segments.join('.') || '(root)';
}

function fromAppError(err: AppError): MappedError {
  const body: MappedError['body'] = { code: err.code, message: err.message };
  if (err.details && err.details.length > 0) body.details = err.details;
  return {
    statusCode: err.statusCode,
    headers: err.headers ?? {},
    body,
    expected: err.statusCode < 500,
    transient: err.statusCode >= 500 && err.retryable,
  };
}

/**
 * Maps anything thrown while handling a request to the platform's error body. Only `AppError`
 * messages and fastify's fixed texts reach clients; everything else becomes a generic 500 so
 * driver or library messages (which may embed data) never leak.
 */
export function mapError(err: unknown): MappedError {
  if (err instanceof AppError) return fromAppError(err);
  if (err instanceof z.ZodError) return fromAppError(validationError(err));
  if (!isRecord(err)) return internal();

  const validation = err['validation'];
  if (Array.isArray(validation)) {
    const context = typeof err['validationContext'] === 'string' ? err['validationContext'] : undefined;
    const details: ErrorIssue[] = validation.filter(isRecord).map((item: FastifyValidationItem) => ({
      path: validationPath(context, item),
      message: item.message ?? 'is invalid',
    }));
    return {
      statusCode: 400,
      headers: {},
      body: { code: 'VALIDATION_FAILED', message: 'request failed validation', details },
      expected: true,
      transient: false,
    };
  }

  const code = typeof err['code'] === 'string' ? err['code'] : undefined;
  const statusCode = typeof err['statusCode'] === 'number' ? err['statusCode'] : undefined;
  const known = code ? FASTIFY_CLIENT_ERRORS[code] : undefined;
  if (known) {
    return {
      statusCode: statusCode ?? 400,
      headers: {},
      body: { ...known },
      expected: true,
      transient: false,
    };
  }
  // The JSON parser's SyntaxError (and secure-json-parse's prototype-poisoning refusal) carry 400.
  if (err instanceof SyntaxError && statusCode === 400) {
    return {
      statusCode: 400,
      headers: {},
      body: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON' },
      expected: true,
      transient: false,
    };
  }
  // Other fastify-internal client errors (bad URL, bad content length, …): keep the status.
  if (code?.startsWith('FST_') && statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return {
      statusCode,
      headers: {},
      body: { code: CODE_BY_STATUS[statusCode] ?? 'VALIDATION_FAILED', message: 'request rejected' },
      expected: true,
      transient: false,
    };
  }
  return internal();
}

function internal(): MappedError {
  return {
    statusCode: 500,
    headers: {},
    body: { code: 'INTERNAL', message: 'internal error' },
    expected: false,
    transient: false,
  };
}
