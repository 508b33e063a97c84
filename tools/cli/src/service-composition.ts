import {
  ConsentConfigSchema,
  migrations as consentMigrations,
  registerConsentCommands,
} from '@tessera/consent';
import {
  IdentityConfigSchema,
  migrations as identityMigrations,
  registerIdentityCommands,
} from '@tessera/identity';
import { IngestConfigSchema, migrations as ingestMigrations, registerIngestCommands } from '@tessera/ingest';
import {
  ProfileStoreConfigSchema,
  migrations as profileStoreMigrations,
  registerProfileStoreCommands,
} from '@tessera/profile-store';
import { registerTrafficCommands } from '@tessera/traffic';
import { requiredVariables, type RequiredEnv } from './deploy/required-env';
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
  registerTrafficCommands,
];

/** What each service cannot start without, from its own config schema (deploy checks use it). */
export const serviceRequiredEnv: RequiredEnv = {
  ingest: requiredVariables(IngestConfigSchema),
  identity: requiredVariables(IdentityConfigSchema),
  'profile-store': requiredVariables(ProfileStoreConfigSchema),
  consent: requiredVariables(ConsentConfigSchema),
};
