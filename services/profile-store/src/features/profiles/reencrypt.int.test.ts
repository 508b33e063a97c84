import { uuidv7 } from '@tessera/contracts';
import { FieldEncryptor, LocalKeyring } from '@tessera/crypto';
import type pg from 'pg';
import { createProfileStoreCore } from '../../profile-store-core';
import { migratedDatabase } from '../../test-support/database';
import { resolvedEvent, testHasher, testSettings } from '../../test-support/fixtures';
import { ingestResolvedBatch } from '../ingestion/ingest-batch';
import { createPiiVault } from './pii-vault';
import { findProfile } from './profile-repository';
import { reencryptAll } from './reencrypt';

let pool: pg.Pool;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ pool, close } = await migratedDatabase());
});
afterAll(async () => close());

describe('reencryptAll', () => {
  it('should re-wrap every sealed value under the new primary key so the old key can be retired', async () => {
    const oldKey = testSettings.PII_KEYRING; // "k1:…"
    const newKey = `k2:${LocalKeyring.generateKey()}`;
    const id = uuidv7();
    const before = createProfileStoreCore(testSettings, pool);
    await ingestResolvedBatch(before, [
      resolvedEvent({
        profileId: id,
        identifiers: [{ type: 'email', value: 'rota@example.com' }],
        traits: { email: 'rota@example.com', lastName: 'Rota' },
      }),
    ]);
    const rotating = createPiiVault(
      new FieldEncryptor(LocalKeyring.fromString(`${newKey},${oldKey}`)),
      testHasher,
    );
    const first = await reencryptAll(pool, rotating, 'k2');
    expect(first).toEqual({ identities: 1, observations: 2, profiles: 1 });
    expect(await reencryptAll(pool, rotating, 'k2')).toEqual({ identities: 0, observations: 0, profiles: 0 });

    const retired = createPiiVault(new FieldEncryptor(LocalKeyring.fromString(newKey)), testHasher);
    const p = (await findProfile(pool, id))!;
    expect(await retired.openTrait('email', p.piiTraits.email!)).toBe('rota@example.com');
    const { rows } = await pool.query<{ raw_sealed: string }>(
      'SELECT raw_sealed FROM identities WHERE profile_id = $1',
      [id],
    );
    expect(await retired.openIdentity(rows[0]!.raw_sealed)).toBe('rota@example.com');
    const obs = await pool.query<{ trait: string; value_sealed: string }>(
      'SELECT trait, value_sealed FROM trait_observations WHERE profile_id = $1',
      [id],
    );
    for (const o of obs.rows) expect(FieldEncryptor.keyIdOf(o.value_sealed)).toBe('k2');
    expect(
      await retired.openTrait('lastName', obs.rows.find((o) => o.trait === 'lastName')!.value_sealed),
    ).toBe('Rota');
  });
});
