import { FieldEncryptor, LocalKeyring, createIdentifierHasher, type IdentifierHasher } from '@tessera/crypto';
import type pg from 'pg';
import type { IngestDeps } from './features/ingestion/ingest-batch';
import { createOpenedValues, type OpenedValues } from './features/outbox/opened-values';
import { createPiiVault, type PiiVault } from './features/profiles/pii-vault';
import { survivorshipConfig } from './features/traits/survivorship-config';

export interface CoreSettings {
  IDENTIFIER_HASH_KEY: string;
  PII_KEYRING: string;
  REPORTING_CURRENCY: string;
  /** See `features/outbox/opened-values.ts`; defaults to 50,000 (0 = off). */
  PII_FEED_CACHE_ENTRIES?: number;
}

export interface ProfileStoreCore extends IngestDeps {
  vault: PiiVault;
  hasher: IdentifierHasher;
  openedValues: OpenedValues;
}

/** The domain's shared dependencies, wired from clients the caller owns (main, CLI, tests, bench). */
export function createProfileStoreCore(settings: CoreSettings, pool: pg.Pool): ProfileStoreCore {
  const hasher = createIdentifierHasher(settings.IDENTIFIER_HASH_KEY);
  const vault = createPiiVault(new FieldEncryptor(LocalKeyring.fromString(settings.PII_KEYRING)), hasher);
  return {
    pool,
    vault,
    hasher,
    survivorship: survivorshipConfig,
    reportingCurrency: settings.REPORTING_CURRENCY,
    openedValues: createOpenedValues({
      maxEntries: settings.PII_FEED_CACHE_ENTRIES ?? 50_000,
      ttlMs: 10 * 60_000,
    }),
  };
}
