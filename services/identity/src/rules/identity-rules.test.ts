import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { compileRules, defaultIdentityRules, loadIdentityRules } from './identity-rules';

const rules = compileRules(defaultIdentityRules);

describe('identity rules', () => {
  it.each([
    ['phone', '0000000000'],
    ['phone', '+11111111111'],
    ['phone', '+440000000000'],
    ['phone', '1234567890'],
    ['email', 'test@test.com'],
    ['email', 'noreply@shop.com'],
    ['email', 'no-reply@shop.com'],
    ['email', 'anyone@example.com'],
    ['user_id', 'null'],
    ['user_id', 'UNDEFINED'],
    ['anonymous_id', 'n/a'],
    ['shopify_customer_id', 'unknown'],
  ])('should blocklist %s %s', (type, value) => {
    expect(rules.blocklistedBy(type, value)).toBeDefined();
  });

  it.each([
    ['phone', '+14155550123'],
    ['email', 'ada@lovelace.org'],
    ['user_id', 'u-123'],
    ['anonymous_id', '3f1c5b1e-8a2d-4c9e-9f7a-2b6d8e1a0c44'],
  ])('should let %s %s link', (type, value) => {
    expect(rules.blocklistedBy(type, value)).toBeUndefined();
  });

  it('should rank user_id over email over phone over external ids over anonymous_id', () => {
    const order = ['anonymous_id', 'shopify_customer_id', 'phone', 'email', 'user_id'].map(
      (t) => rules.ruleFor(t).priority,
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('should ship merge protection limits with one user_id per profile', () => {
    expect(rules.limits()).toMatchObject({ user_id: 1, email: 5, phone: 5, anonymous_id: 100, '*': 10 });
  });

  it('should never blocklist a value that only contains an ordinary email address', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{3,10}\.[a-z]{2,8}$/),
        fc.constantFrom('gmail.com', 'acme.io', 'mail.de'),
        (local, domain) => {
          expect(rules.blocklistedBy('email', `${local}@${domain}`)).toBeUndefined();
        },
      ),
    );
  });

  it('should extend the shipped blocklists and limits from a rules file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'identity-rules-'));
    const file = path.join(dir, 'rules.json');
    writeFileSync(
      file,
      JSON.stringify({
        types: { phone: { priority: 80, limit: 2, blocklist: ['+15555550100'] } },
        globalBlocklist: ['placeholder'],
      }),
    );
    const loaded = loadIdentityRules(file);
    expect(loaded.blocklistedBy('phone', '+15555550100')).toBe('blocklist:phone');
    expect(loaded.blocklistedBy('phone', '0000000000')).toBe('blocklist:phone');
    expect(loaded.blocklistedBy('email', 'placeholder')).toBe('blocklist:global');
    expect(loaded.limits().phone).toBe(2);
  });

  it('should reject a rules file with the path of the bad field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'identity-rules-'));
    const file = path.join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ types: { email: { priority: 1, limit: 0 } } }));
    expect(() => loadIdentityRules(file)).toThrow(/types\.email\.limit/);
  });
});
