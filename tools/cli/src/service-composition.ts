import { migrations as consentMigrations, registerConsentCommands } from '@tessera/consent';
import { migrations as identityMigrations, registerIdentityCommands } from '@tessera/identity';
import { migrations as ingestMigrations, registerIngestCommands } from '@tessera/ingest';
import { migrations as profileStoreMigrations, registerProfileStoreCommands } from '@tessera/profile-store';
import type { MigrationCatalogue } from './commands/migrate';
import type { RegisterCommands } from './program';

/** The four services' schemas, migrated in the order events flow through them. */
export const serviceMigrations: MigrationCatalogue = [
  { service: 'ingest', migrations: ingestMigrations },
  { service: 'identity', migrations: identityMigrations },
  { service: 'profile-store', migrations: profileStoreMigrations },
  { service: 'consent', migrations: consentMigrations },
];

/** Each service's own command group (sources, graph, profiles, consent and privacy requests...). */
export const serviceCommands: RegisterCommands[] = [
  registerIngestCommands,
  registerIdentityCommands,
  registerProfileStoreCommands,
  registerConsentCommands,
];
