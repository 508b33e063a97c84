import { AppError, DeadLetterV1Schema } from '@tessera/contracts';
import {
  createDeadLetterRecord,
  decodeOriginalValue,
  encodeOriginalValue,
  reasonFromError,
} from './dead-letter';

const base = {
  topic: 't.tessera.audit.v1',
  partition: 2,
  offset: '42',
  key: 'k1',
  headers: { origin: 'test' },
  consumerGroup: 'g1',
  attempts: 3,
  failedAt: new Date('2026-01-02T03:04:05.000Z'),
};

describe('createDeadLetterRecord', () => {
  it('createDeadLetterRecord should build a schema-valid record with the reason and issues', () => {
    const record = createDeadLetterRecord({
      ...base,
      value: Buffer.from('{"a":1}'),
      error: {
        code: 'EVENT_SCHEMA_INVALID',
        message: 'bad',
        issues: [{ path: 'a', message: 'expected string' }],
      },
    });
    expect(DeadLetterV1Schema.parse(record)).toEqual(record);
    expect(record).toMatchObject({
      originalTopic: base.topic,
      partition: 2,
      offset: '42',
      value: '{"a":1}',
      valueEncoding: 'utf8',
      attempts: 3,
      failedAt: '2026-01-02T03:04:05.000Z',
      error: { issues: [{ path: 'a', message: 'expected string' }] },
    });
  });

  it('createDeadLetterRecord should keep binary values intact as base64', () => {
    const bytes = Buffer.from([0xc3, 0x28, 0x00, 0xff]);
    const record = createDeadLetterRecord({
      ...base,
      value: bytes,
      error: { code: 'MALFORMED_JSON', message: 'x' },
    });
    expect(record.valueEncoding).toBe('base64');
    expect(decodeOriginalValue(record)).toEqual(bytes);
  });

  it('createDeadLetterRecord should scrub personal data from error messages', () => {
    const record = createDeadLetterRecord({
      ...base,
      value: null,
      error: {
        code: 'HANDLER_FAILED',
        message: 'duplicate key: Key (email)=(ann@example.com) already exists',
      },
    });
    expect(record.error.message).not.toContain('ann@example.com');
    expect(record.value).toBeNull();
  });

  it('createDeadLetterRecord should omit an empty issue list', () => {
    const record = createDeadLetterRecord({
      ...base,
      value: 'x',
      error: { code: 'X', message: 'm', issues: [] },
    });
    expect(record.error).not.toHaveProperty('issues');
  });
});

describe('encodeOriginalValue', () => {
  it('encodeOriginalValue should read valid UTF-8 (including multibyte) as text', () => {
    expect(encodeOriginalValue(Buffer.from('Zoë ✓'))).toEqual({ value: 'Zoë ✓', valueEncoding: 'utf8' });
  });
});

describe('reasonFromError', () => {
  it('reasonFromError should keep an AppError code and details', () => {
    const err = new AppError('IDENTIFIER_INVALID', 'bad id', { details: [{ path: 'x', message: 'y' }] });
    expect(reasonFromError(err)).toEqual({
      code: 'IDENTIFIER_INVALID',
      message: 'bad id',
      issues: [{ path: 'x', message: 'y' }],
    });
  });

  it('reasonFromError should name other errors HANDLER_FAILED with their type', () => {
    expect(reasonFromError(new TypeError('boom'))).toEqual({
      code: 'HANDLER_FAILED',
      message: 'TypeError: boom',
    });
    expect(reasonFromError('odd')).toEqual({ code: 'HANDLER_FAILED', message: 'odd' });
  });
});
