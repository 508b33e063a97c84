import { createLogger } from './logger';
import { redactText } from './redaction';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: { write: (line: string) => lines.push(line) },
  });
  return { logger, output: () => lines.join('') };
}

const PII = [
  'jane.doe@example.com',
  '+4915112345678',
  'Jane',
  'Doe',
  'Jane Doe',
  'Main Street 1',
  'Berlin',
  '10115',
  '1990-04-01',
  '203.0.113.7',
];

describe('createLogger', () => {
  it('should redact personal data at the places services log it', () => {
    const { logger, output } = capture();
    logger.info(
      {
        email: 'jane.doe@example.com',
        phone: '+4915112345678',
        name: 'Jane Doe',
        user: { firstName: 'Jane', lastName: 'Doe', address: 'Main Street 1', city: 'Berlin', zip: '10115' },
        event: {
          traits: { email: 'jane.doe@example.com' },
          context: { traits: { name: 'Jane Doe' }, ip: '203.0.113.7' },
          identifiers: [
            {
              type: 'email',
              value: 'jane.doe@example.com',
              raw: 'Jane.Doe@Example.com',
              matchKey: 'jane.doe@example.com',
            },
          ],
        },
        identifiers: [{ type: 'phone', value: '+4915112345678' }],
        profile: { first_name: 'Jane', last_name: 'Doe', birthday: '1990-04-01' },
      },
      'handled',
    );
    const out = output();
    for (const value of PII) expect(out).not.toContain(value);
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('"msg":"handled"');
  });

  it('should redact credentials in headers and secrets', () => {
    const { logger, output } = capture();
    logger.warn({
      req: { headers: { authorization: 'Bearer tsk_abc_secretvalue', cookie: 'sid=cookievalue' } },
      headers: { authorization: 'Basic dGVzdA==' },
      writeKey: 'wk-secretvalue',
      key: { secretSha256: 'a'.repeat(64), token: 'tok-secretvalue' },
      password: 'hunter2hunter2',
    });
    const out = output();
    for (const value of [
      'tsk_abc_secretvalue',
      'cookievalue',
      'dGVzdA==',
      'wk-secretvalue',
      'a'.repeat(64),
      'tok-secretvalue',
      'hunter2hunter2',
    ]) {
      expect(out).not.toContain(value);
    }
  });

  it('should keep the service name and ordinary fields', () => {
    const { logger, output } = capture();
    logger
      .child({ module: 'consumer' })
      .info({ topic: 'tessera.events.ingested.v1', partition: 3, offset: '42' }, 'batch');
    const line = JSON.parse(output()) as Record<string, unknown>;
    expect(line).toMatchObject({
      service: 'test',
      module: 'consumer',
      partition: 3,
      offset: '42',
      level: 'info',
    });
  });

  it('should scrub personal data from error messages and driver details', () => {
    const { logger, output } = capture();
    const err = Object.assign(
      new Error('duplicate key value violates unique constraint for jane.doe@example.com'),
      {
        detail: 'Key (email)=(jane.doe@example.com) already exists.',
        code: '23505',
      },
    );
    logger.error({ err }, 'insert failed');
    const out = output();
    expect(out).not.toContain('jane.doe@example.com');
    expect(out).toContain('23505');
    expect(out).toContain('insert failed');
  });
  it('should redact at any depth, in arrays and in child bindings, without mutating the logged object', () => {
    const { logger, output } = capture();
    const logged = {
      batch: [
        {
          message: {
            context: { device: { ip: '203.0.113.7' } },
            properties: { Email: 'jane.doe@example.com' },
          },
        },
      ],
      merge: { from: { identifiers: [{ type: 'phone', value: '+4915112345678' }] } },
      cause: new Error('lookup failed for jane.doe@example.com'),
    };
    logger.child({ email: 'jane.doe@example.com' }).info(logged, 'deep');
    const out = output();
    for (const value of ['jane.doe@example.com', '203.0.113.7', '+4915112345678'])
      expect(out).not.toContain(value);
    expect(logged.batch[0]!.message.properties.Email).toBe('jane.doe@example.com');
    expect(logged.merge.from.identifiers[0]!.value).toBe('+4915112345678');
  });

  it('should keep identifier types and non-identifier values', () => {
    const { logger, output } = capture();
    logger.info({ identifiers: [{ type: 'email', value: 'jane.doe@example.com' }], metric: { value: 42 } });
    const line = JSON.parse(output()) as {
      identifiers: Array<Record<string, unknown>>;
      metric: { value: number };
    };
    expect(line.identifiers[0]).toEqual({ type: 'email', value: '[REDACTED]' });
    expect(line.metric.value).toBe(42);
  });

  it('should log requests as method and path only', () => {
    const { logger, output } = capture();
    logger.info({
      req: {
        method: 'GET',
        url: '/v1/profiles/lookup?email=jane.doe@example.com',
        headers: { authorization: 'Bearer x' },
      },
    });
    const line = JSON.parse(output()) as { req: Record<string, unknown> };
    expect(line.req).toEqual({ method: 'GET', url: '/v1/profiles/lookup' });
  });
});

describe('redactText', () => {
  it('should replace emails and phone numbers but keep infrastructure details', () => {
    expect(redactText('user jane@example.co.uk called +49 151 1234 5678')).toBe(
      'user [REDACTED_EMAIL] called [REDACTED_PHONE]',
    );
    expect(redactText('connect ECONNREFUSED 127.0.0.1:5432')).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(redactText('offset 1234 of partition 11 at 2026-11-29T05:50:00Z')).toBe(
      'offset 1234 of partition 11 at 2026-11-29T05:50:00Z',
    );
  });

  it('should replace Postgres row values in error details', () => {
    expect(redactText('Key (email, tenant)=(a b, (c)) already exists.')).toBe(
      'Key (email, tenant)=([REDACTED]) already exists.',
    );
    expect(redactText('Failing row contains (1, Jane, null).')).toBe('Failing row contains ([REDACTED]).');
  });
});
