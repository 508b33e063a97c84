import fc from 'fast-check';
import { IdentifierError } from './identifier-error';
import { normalizeIdentifier } from './normalize-identifier';

describe('normalizeIdentifier', () => {
  it('normalizeIdentifier should keep the case of opaque ids and record the raw value when cleaned', () => {
    expect(normalizeIdentifier('user_id', ' U-123 ')).toEqual({
      type: 'user_id',
      value: 'U-123',
      raw: ' U-123 ',
    });
    expect(normalizeIdentifier('crm_id', 'AbC')).toEqual({ type: 'crm_id', value: 'AbC' });
  });

  it('normalizeIdentifier should strip @ and lower-case social handles', () => {
    expect(normalizeIdentifier('instagram', '@Ana_B')).toEqual({
      type: 'instagram',
      value: 'ana_b',
      raw: '@Ana_B',
    });
  });

  it('normalizeIdentifier should use the default region for phones', () => {
    expect(normalizeIdentifier('phone', '020 7946 0018', { defaultRegion: 'GB' }).value).toBe(
      '+442079460018',
    );
  });

  it('normalizeIdentifier should reject bad types and empty values', () => {
    expect(() => normalizeIdentifier('Bad-Type', 'x')).toThrow(IdentifierError);
    expect(() => normalizeIdentifier('user_id', '   ')).toThrow(IdentifierError);
    expect(() => normalizeIdentifier('user_id', 'x'.repeat(600))).toThrow(IdentifierError);
  });

  it('normalizeIdentifier should be idempotent for every type', () => {
    const type = fc.constantFrom('user_id', 'anonymous_id', 'crm_id', 'instagram', 'tiktok', 'email');
    const value = fc.stringMatching(
      /^[ \t]{0,2}@?[A-Za-z0-9][A-Za-z0-9._-]{0,15}(@example\.com)?[ \t]{0,2}$/,
    );
    fc.assert(
      fc.property(type, value, (t, v) => {
        let once;
        try {
          once = normalizeIdentifier(t, v);
        } catch (err) {
          expect(err).toBeInstanceOf(IdentifierError);
          return;
        }
        const twice = normalizeIdentifier(t, once.value);
        expect(twice.value).toBe(once.value);
        expect(twice.matchKey).toBe(once.matchKey);
      }),
    );
  });

  it('normalizeIdentifier should never lose the typed address of an email', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z.]{0,8}[a-z](\+[a-z]{1,5})?$/).filter((s) => !s.includes('..')),
        (local) => {
          const out = normalizeIdentifier('email', `${local}@Gmail.com`);
          expect(out.value).toBe(`${local}@gmail.com`);
        },
      ),
    );
  });
});
