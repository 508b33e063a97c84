import { uuidv7 } from '@tessera/contracts';
import { withTransaction } from '@tessera/db';
import type pg from 'pg';
import { createProfileStoreCore, type ProfileStoreCore } from '../../profile-store-core';
import { migratedDatabase } from '../../test-support/database';
import { resolvedEvent, testSettings } from '../../test-support/fixtures';
import { ingestResolvedBatch } from '../ingestion/ingest-batch';
import { findProfile, lockProfiles } from './profile-repository';

let pool: pg.Pool;
let close: () => Promise<void>;
let core: ProfileStoreCore;

beforeAll(async () => {
  ({ pool, close } = await migratedDatabase());
  core = createProfileStoreCore(testSettings, pool);
});
afterAll(async () => close());

describe('lockProfiles', () => {
  it('returns rows equal to a plain read, through spreads and JSON, with provenance loaded on first use', async () => {
    const id = uuidv7();
    await ingestResolvedBatch(core, [
      resolvedEvent({ profileId: id, traits: { plan: 'pro', tier: 'gold' } }),
    ]);
    const plain = (await findProfile(pool, id))!;
    const locked = await withTransaction(pool, async (client) => (await lockProfiles(client, [id])).get(id)!);

    expect({ ...locked }).toEqual(plain);
    expect(JSON.parse(JSON.stringify(locked))).toEqual(JSON.parse(JSON.stringify(plain)));
    expect(locked.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(locked.traitWinners.plan?.rule).toBe('most_recent');

    // Survivorship mutates the loaded object and may replace it; both stick.
    delete locked.traitWinners.tier;
    expect(Object.keys(locked.traitWinners)).toEqual(['plan']);
    locked.traitWinners = {};
    expect(locked.traitWinners).toEqual({});
    expect({ ...locked }.traitWinners).toEqual({});
  });
});
