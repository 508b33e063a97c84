import pg from 'pg';
import { getInfra } from './infra';
import { uniqueName } from './wait-for';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drops the database, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function onAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'tessera-testkit' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database (`t_<random>`) for one test file, optionally copied from a template
 * database (which must have no open connections).
 */
export async function createTestDatabase(opts: { template?: string } = {}): Promise<TestDatabase> {
  const { databaseUrl } = await getInfra();
  const name = uniqueName('t_');
  const template = opts.template ? ` TEMPLATE "${opts.template.replace(/"/g, '""')}"` : '';
  await onAdmin(databaseUrl, (c) => c.query(`CREATE DATABASE "${name}"${template}`));
  let dropped = false;
  return {
    url: withDatabase(databaseUrl, name),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await onAdmin(databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
