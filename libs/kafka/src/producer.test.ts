import { AppError } from '@tessera/contracts';
import { encodeMessages, unavailable } from './producer';
import { accessKey, auditEvent } from './testing/fixtures';

describe('encodeMessages', () => {
  it('encodeMessages should key records from the catalogue and JSON-encode the validated value', () => {
    const event = auditEvent({ subject: { profileId: '0190a5a0-0000-7000-8000-000000000001' } });
    const [record] = encodeMessages('audit', [event], { 'x-request-id': 'r1' });
    expect(record).toEqual({
      key: '0190a5a0-0000-7000-8000-000000000001',
      value: JSON.stringify(event),
      headers: { 'x-request-id': 'r1' },
    });
  });

  it('encodeMessages should drop fields the schema does not know', () => {
    const key = { ...accessKey(), secret: 'must-not-travel' };
    const [record] = encodeMessages('accessKeys', [key], undefined);
    expect(JSON.parse(record!.value as string)).not.toHaveProperty('secret');
  });

  it('encodeMessages should list the issues of every invalid message by index', () => {
    let thrown: unknown;
    try {
      encodeMessages('accessKeys', [accessKey(), { ...accessKey(), scopes: [] }], undefined);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      code: 'EVENT_SCHEMA_INVALID',
      statusCode: 500,
      details: [{ path: '1.scopes' }],
    });
  });

  it('encodeMessages should key prevalidated messages from the catalogue and serialize them as given', () => {
    // The caller vouches for the schema: no parse, so nothing is stripped or refused here.
    const key = { ...accessKey(), note: 'kept' };
    const [record] = encodeMessages('accessKeys', [key], undefined, true);
    expect(record!.key).toBe(encodeMessages('accessKeys', [key], undefined)[0]!.key);
    expect(record!.value).toBe(JSON.stringify(key));
  });
});

describe('unavailable', () => {
  it('unavailable should turn broker trouble into a retryable 503', () => {
    const err = unavailable(Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }));
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', statusCode: 503, retryable: true });
    expect(err.message).not.toContain('Connection error');
  });

  it('unavailable should not retry a request the broker can never accept', () => {
    const tooLarge = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    expect(unavailable(tooLarge)).toMatchObject({ code: 'INTERNAL', retryable: false });
  });
});
