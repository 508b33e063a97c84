import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { AppError } from '@tessera/contracts';

// A key `__proto__` or `constructor` anywhere in the text, also spelled with JSON escapes
// (`"\u005f_proto__"` parses to the same key), found in one regex pass over the raw text instead
// of a reviver or a walk of the parsed tree (secure-json-parse's approach, without its parse). It
// can refuse a string value that merely looks like such a key; no Segment client sends one.
const POISON =
  /"(?:(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])|(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072))"\s*:/;

const bodyBytes = new WeakMap<IncomingMessage, number>();

/** Decompressed size of the JSON body `readJsonBody` read for this request, in bytes. */
export function jsonBodyBytes(req: IncomingMessage): number | undefined {
  return bodyBytes.get(req);
}

/**
 * Reads a JSON request body, inflating `Content-Encoding: gzip|deflate`, and refuses more than
 * `limit` bytes of JSON (decompressed: a small gzip bomb must not become a large allocation) or of
 * wire bytes. Errors are AppErrors (413 PAYLOAD_TOO_LARGE, 400 MALFORMED_JSON, 415).
 */
export async function readJsonBody(
  req: IncomingMessage,
  payload: Readable,
  limit: number,
  what: string,
): Promise<unknown> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  let stream: Readable = payload;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = payload.pipe(createGunzip());
  else if (encoding === 'deflate') stream = payload.pipe(createInflate());
  else if (encoding !== 'identity' && encoding !== '') {
    payload.resume();
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `content-encoding ${encoding} is not supported (use gzip)`, {
      statusCode: 415,
    });
  }
  const tooLarge = () =>
    new AppError('PAYLOAD_TOO_LARGE', `${what} is larger than ${Math.round(limit / 1024)} KB`, {
      statusCode: 413,
    });
  const declared = Number(req.headers['content-length']);
  if (encoding === 'identity' && Number.isFinite(declared) && declared > limit) {
    payload.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) {
        stream.destroy();
        if (stream !== payload) payload.resume();
        throw tooLarge();
      }
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('MALFORMED_JSON', 'request body could not be decompressed', {
      statusCode: 400,
      cause: err,
    });
  }
  bodyBytes.set(req, size);
  const text = Buffer.concat(chunks, size).toString('utf8');
  if (text.trim().length === 0)
    throw new AppError('MALFORMED_JSON', 'request body is empty', { statusCode: 400 });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AppError('MALFORMED_JSON', 'request body is not valid JSON', { statusCode: 400, cause: err });
  }
  if (POISON.test(text))
    throw new AppError('MALFORMED_JSON', 'request body contains a forbidden key (__proto__ or constructor)', {
      statusCode: 400,
    });
  return parsed;
}
