import { ConfigError, parseConfig } from '@tessera/config';
import { ProfileStoreConfigSchema } from './config';

const secrets = { IDENTIFIER_HASH_KEY: 'a'.repeat(44), PII_KEYRING: 'k1:' + 'b'.repeat(44) };

describe('ProfileStoreConfigSchema', () => {
  it('should apply defaults (port 8082, USD, daily scoring)', () => {
    const config = parseConfig(ProfileStoreConfigSchema, secrets);
    expect(config).toMatchObject({
      PORT: 8082,
      REPORTING_CURRENCY: 'USD',
      SCORING_INTERVAL_MINUTES: 1440,
      PROFILE_STORE_BATCH_SIZE: 1000,
    });
  });

  it('should name every missing secret and invalid value', () => {
    try {
      parseConfig(ProfileStoreConfigSchema, { REPORTING_CURRENCY: 'euro' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).issues.join('\n');
      expect(text).toContain('IDENTIFIER_HASH_KEY');
      expect(text).toContain('PII_KEYRING');
      expect(text).toContain('REPORTING_CURRENCY');
    }
  });
});
