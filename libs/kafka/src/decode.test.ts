import { decodeRecord, headersToStrings } from './decode';
import { accessKey, auditEvent } from './testing/fixtures';

const record = (value: Buffer | null, key: string | null = 'k') => ({
  offset: '7',
  key: key === null ? null : Buffer.from(key),
  value,
  headers: { a: Buffer.from('1'), b: 'two', c: [Buffer.from('x'), 'y'], d: undefined },
  timestamp: '1700000000000',
});

describe('decodeRecord', () => {
  it('decodeRecord should return the validated value with string headers', () => {
    const event = auditEvent();
    const decoded = decodeRecord('audit', 'p.audit', 1, record(Buffer.from(JSON.stringify(event))));
    expect(decoded).toEqual({
      ok: true,
      message: {
        topic: 'p.audit',
        partition: 1,
        offset: '7',
        key: 'k',
        value: event,
        headers: { a: '1', b: 'two', c: 'y' },
        timestamp: '1700000000000',
      },
    });
  });

  it('decodeRecord should report malformed JSON', () => {
    const decoded = decodeRecord('audit', 'p', 0, record(Buffer.from('{')));
    expect(decoded).toMatchObject({ ok: false, reason: { code: 'MALFORMED_JSON' } });
  });

  it('decodeRecord should report schema violations with their paths', () => {
    const decoded = decodeRecord(
      'audit',
      'p',
      0,
      record(Buffer.from(JSON.stringify({ ...auditEvent(), action: 'nope' }))),
    );
    expect(decoded).toMatchObject({
      ok: false,
      reason: { code: 'EVENT_SCHEMA_INVALID', issues: [{ path: 'action' }] },
    });
  });

  it('decodeRecord should accept tombstones only on topics that allow them', () => {
    expect(decodeRecord('accessKeys', 'p', 0, record(null))).toMatchObject({
      ok: true,
      message: { value: null },
    });
    expect(decodeRecord('audit', 'p', 0, record(null))).toMatchObject({
      ok: false,
      reason: { code: 'EVENT_SCHEMA_INVALID' },
    });
  });

  it('decodeRecord should keep a null key as null', () => {
    const decoded = decodeRecord(
      'accessKeys',
      'p',
      0,
      record(Buffer.from(JSON.stringify(accessKey())), null),
    );
    expect(decoded).toMatchObject({ ok: true, message: { key: null } });
  });
});

describe('headersToStrings', () => {
  it('headersToStrings should return an empty object without headers', () => {
    expect(headersToStrings(undefined)).toEqual({});
  });
});
