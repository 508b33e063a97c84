import fc from 'fast-check';
import { normalizeEmail } from './email';
import { IdentifierError } from './identifier-error';

const localPart = fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]$/).filter((s) => !s.includes('..'));
const domain = fc.constantFrom(
  'example.com',
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'icloud.com',
  'proton.me',
  'shop.co.uk',
);
const email = fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`);
const variant = fc
  .tuple(email, fc.boolean(), fc.constantFrom('', ' ', '\t', '  \n'))
  .map(([e, upper, ws]) => `${ws}${upper ? e.toUpperCase() : e}${ws}`);

describe('normalizeEmail', () => {
  it('normalizeEmail should be idempotent', () => {
    fc.assert(
      fc.property(variant, (raw) => {
        const once = normalizeEmail(raw);
        expect(normalizeEmail(once.value)).toEqual(once);
      }),
    );
  });

  it('normalizeEmail should map case and whitespace variants to the same value', () => {
    fc.assert(
      fc.property(email, fc.constantFrom(' ', '\t'), (e, ws) => {
        expect(normalizeEmail(`${ws}${e.toUpperCase()}${ws}`)).toEqual(normalizeEmail(e));
      }),
    );
  });

  it('normalizeEmail should only set a matchKey for provider-aware domains and never rewrite the value', () => {
    fc.assert(
      fc.property(email, (e) => {
        const out = normalizeEmail(e);
        expect(out.value).toBe(e.toLowerCase());
        const d = e.split('@')[1];
        if (out.matchKey !== undefined)
          expect(['gmail.com', 'googlemail.com', 'outlook.com', 'icloud.com', 'proton.me']).toContain(d);
        if (!['gmail.com', 'googlemail.com', 'outlook.com', 'icloud.com', 'proton.me'].includes(d ?? ''))
          expect(out.matchKey).toBeUndefined();
      }),
    );
  });

  it('normalizeEmail should fold Gmail dots, +tags and googlemail into one match key', () => {
    expect(normalizeEmail(' Ana.B+news@GoogleMail.com ')).toEqual({
      value: 'ana.b+news@googlemail.com',
      matchKey: 'anab@gmail.com',
    });
    expect(normalizeEmail('anab@gmail.com')).toEqual({ value: 'anab@gmail.com' });
  });

  it('normalizeEmail should strip +tags but keep dots for subaddressing providers', () => {
    expect(normalizeEmail('ana.b+shop@outlook.com')).toEqual({
      value: 'ana.b+shop@outlook.com',
      matchKey: 'ana.b@outlook.com',
    });
    expect(normalizeEmail('ana.b@outlook.com')).toEqual({ value: 'ana.b@outlook.com' });
    expect(normalizeEmail('ana+x@example.com')).toEqual({ value: 'ana+x@example.com' });
  });

  it('normalizeEmail should apply Unicode NFC', () => {
    expect(normalizeEmail('jose\u0301@example.com').value).toBe('jos\u00e9@example.com');
  });

  it.each([
    '',
    '   ',
    'ana',
    'ana@',
    '@example.com',
    'ana@example',
    'a b@example.com',
    'ana..b@example.com',
    '.ana@example.com',
    'ana@exa mple.com',
    'ana@-x.com',
    'ana@example.123',
    `${'a'.repeat(65)}@example.com`,
  ])('normalizeEmail should reject %j', (raw) => {
    expect(() => normalizeEmail(raw)).toThrow(IdentifierError);
  });

  it('normalizeEmail should not echo the value in its error message', () => {
    try {
      normalizeEmail('secret person@example.com');
      throw new Error('expected a rejection');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
    }
  });
});
