import { CliError, ExitCodes } from '../cli-error';
import { quoteIdentifier, selectServices, type MigrationCatalogue } from './migrate';

const catalogue: MigrationCatalogue = [
  { service: 'ingest', migrations: { schema: 'ingest', dir: '/m/ingest' } },
  { service: 'identity', migrations: { schema: 'identity', dir: '/m/identity' } },
  { service: 'profile-store', migrations: { schema: 'profile_store', dir: '/m/profile-store' } },
  { service: 'consent', migrations: { schema: 'consent', dir: '/m/consent' } },
];

describe('selectServices', () => {
  it('selectServices should return every service in catalogue order when none is requested', () => {
    expect(selectServices(catalogue, []).map((c) => c.service)).toEqual([
      'ingest',
      'identity',
      'profile-store',
      'consent',
    ]);
  });

  it('selectServices should keep catalogue order for comma-separated and repeated flags', () => {
    expect(selectServices(catalogue, ['consent,ingest', 'profile-store']).map((c) => c.service)).toEqual([
      'ingest',
      'profile-store',
      'consent',
    ]);
  });

  it('selectServices should reject unknown services with a usage error naming the known ones', () => {
    let caught: unknown;
    try {
      selectServices(catalogue, ['ingest,profiles']);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(ExitCodes.usage);
    expect((caught as CliError).message).toMatch(/unknown service\(s\): profiles \(known: ingest, identity/);
  });
});

describe('quoteIdentifier', () => {
  it('quoteIdentifier should double embedded quotes', () => {
    expect(quoteIdentifier('tessera')).toBe('"tessera"');
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
  });
});
