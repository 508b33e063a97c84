import { Transform, type Readable } from 'node:stream';
import { gunzipSync, inflateSync } from 'node:zlib';
import { AppError, type WebhookVendor } from '@tessera/contracts';
import type { FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import type { WebhookVerifier } from './webhook-signatures';

interface Capture {
  chunks: Buffer[];
  size: number;
  overflow: boolean;
}

const captures = new WeakMap<FastifyRequest, Capture>();

// gzip can make a body a little larger than its limit on the wire while still inflating to less.
const WIRE_SLACK_BYTES = 64 * 1024;

/**
 * preParsing hook for signed-webhook routes only: passes the body on to the ingest JSON parser
 * unchanged while keeping a reference to each chunk, because signatures are over the exact bytes
 * and a re-serialised JSON body would not match. The tracking routes never pay for this.
 */
export function captureRawBody(limitBytes: number): preParsingAsyncHookHandler {
  return async (request, _reply, payload) => {
    const capture: Capture = { chunks: [], size: 0, overflow: false };
    captures.set(request, capture);
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        capture.size += chunk.length;
        if (capture.size <= limitBytes + WIRE_SLACK_BYTES) capture.chunks.push(chunk);
        else capture.overflow = true;
        done(null, chunk);
      },
    });
    // pipe() does not forward errors: an aborted upload must fail the parse, not hang it.
    payload.on('error', (err) => tee.destroy(err));
    return payload.pipe(tee) as Readable & typeof payload;
  };
}

/** The body as the vendor signed it: the captured bytes, inflated if sent with Content-Encoding. */
export function rawBodyOf(request: FastifyRequest, limitBytes: number): Buffer {
  const capture = captures.get(request);
  if (!capture) throw new Error('route does not capture its raw body');
  if (capture.overflow)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `request body is larger than ${Math.round(limitBytes / 1024)} KB`,
      {
        statusCode: 413,
      },
    );
  const wire = Buffer.concat(capture.chunks, capture.size);
  const encoding = String(request.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim();
  // The JSON parser already inflated (and size-checked) this body once, so it is well-formed.
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(wire, { maxOutputLength: limitBytes });
  if (encoding === 'deflate') return inflateSync(wire, { maxOutputLength: limitBytes });
  return wire;
}

/** 401 with the failing header as the detail path, so a misconfigured sender can tell what is wrong. */
export function signatureError(vendor: WebhookVendor, header: string, reason: string): AppError {
  return new AppError('UNAUTHENTICATED', `${vendor} webhook signature check failed: ${header} ${reason}`, {
    statusCode: 401,
    details: [{ path: `headers.${header}`, message: reason }],
  });
}

/**
 * Checks a request against its source's verifier; throws the 401 on any failure. `expected` is
 * the vendor whose payload the route takes: a source set up for SendGrid signatures accepts no
 * unsigned Shopify payloads either.
 */
export function requireValidSignature(
  request: FastifyRequest,
  verifier: WebhookVerifier,
  expected: WebhookVendor,
  limitBytes: number,
  now: Date,
): void {
  if (verifier.vendor !== expected) {
    throw new AppError(
      'UNAUTHENTICATED',
      `this source only accepts ${verifier.vendor} webhooks, signed (its webhook verification is set to ${verifier.vendor})`,
      { statusCode: 401, details: [{ path: 'source', message: `requires ${verifier.vendor} signatures` }] },
    );
  }
  const result = verifier.verify({ headers: request.headers, rawBody: rawBodyOf(request, limitBytes) }, now);
  if (!result.ok) throw signatureError(verifier.vendor, result.header, result.reason);
}
