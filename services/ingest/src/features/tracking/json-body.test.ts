import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { AppError } from '@tessera/contracts';
import { readJsonBody } from './json-body';

function read(body: string | Buffer, headers: Record<string, string> = {}, limit = 1024) {
  const payload = Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
  const req = { headers } as unknown as IncomingMessage;
  return readJsonBody(req, payload, limit, 'request body');
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => (err instanceof AppError ? { code: err.code, status: err.statusCode } : err),
  );

describe('readJsonBody', () => {
  it('readJsonBody should parse plain and gzip-compressed JSON', async () => {
    await expect(read('{"a":[1,"x"]}')).resolves.toEqual({ a: [1, 'x'] });
    await expect(read(gzipSync('{"b":true}'), { 'content-encoding': 'gzip' })).resolves.toEqual({ b: true });
  });

  it.each([
    '{"__proto__":{"admin":true}}',
    '{"a":{"constructor" :{"prototype":{}}}}',
    '{"\\u005f_proto__":{"admin":true}}',
    '{"\\u005F\\u005Fproto\\u005f\\u005f":1}',
    '{"batch":[{"c\\u006Fnstructor":{}}]}',
  ])('readJsonBody should refuse the prototype-poisoning key in %s', async (text) => {
    await expect(refusal(read(text))).resolves.toEqual({ code: 'MALFORMED_JSON', status: 400 });
  });

  it('readJsonBody should accept the words as values and look-alike keys', async () => {
    const text = '{"event":"__proto__","properties":{"constructors":1,"my_constructor":2,"proto":3}}';
    await expect(read(text)).resolves.toEqual(JSON.parse(text));
  });

  it('readJsonBody should refuse malformed JSON, empty bodies and bodies over the limit', async () => {
    await expect(refusal(read('{"a":'))).resolves.toEqual({ code: 'MALFORMED_JSON', status: 400 });
    await expect(refusal(read('  '))).resolves.toEqual({ code: 'MALFORMED_JSON', status: 400 });
    await expect(refusal(read(`{"a":"${'x'.repeat(2000)}"}`))).resolves.toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      status: 413,
    });
  });
});
