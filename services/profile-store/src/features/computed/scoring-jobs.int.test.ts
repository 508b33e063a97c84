import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { createProfileStoreCore, type ProfileStoreCore } from '../../profile-store-core';
import { migratedDatabase } from '../../test-support/database';
import { order, testSettings } from '../../test-support/fixtures';
import { parseCdnow } from '../clv/customer-summary';
import { ingestResolvedBatch } from '../ingestion/ingest-batch';
import { findProfile } from '../profiles/profile-repository';
import { refitClv, rescoreRfm } from './scoring-jobs';

// CI places shared/ beside the clone: <repo>/../shared.
const CDNOW = path.resolve(__dirname, '../../../../../../shared/data/cdnow/CDNOW_sample.txt');

jest.setTimeout(60_000);

let pool: pg.Pool;
let close: () => Promise<void>;
let core: ProfileStoreCore;

/** A stable profile id per CDNOW customer (UUID-shaped, version nibble 8 = custom). */
const profileIdOf = (customer: string) => {
  const h = createHash('sha256').update(`cdnow:${customer}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

beforeAll(async () => {
  ({ pool, close } = await migratedDatabase());
  core = createProfileStoreCore(testSettings, pool);
  const orders = parseCdnow(fs.readFileSync(CDNOW, 'utf8'));
  const events = orders.map((o) =>
    order(profileIdOf(o.customerId), o.value, o.at.toISOString(), {
      channel: 'ecommerce',
      sourceId: 'cdnow',
    }),
  );
  for (let i = 0; i < events.length; i += 1000) await ingestResolvedBatch(core, events.slice(i, i + 1000));
});
afterAll(async () => close());

describe('scoring jobs on the store', () => {
  it('refitClv should fit the CDNOW orders ingested as events to the published BG/NBD and Gamma-Gamma parameters', async () => {
    const result = await refitClv(core, {
      calibrationEnd: new Date('1997-09-30T00:00:00Z'),
      horizonWeeks: 39,
    });
    expect(result).toMatchObject({ customers: 2357, repeatCustomers: 946, profilesScored: 2357 });
    const params = result.params as { bgNbd: Record<string, number>; gammaGamma: Record<string, number> };
    const within = (actual: number | undefined, expected: number) =>
      Math.abs(actual! - expected) / expected <= 0.01;
    expect(
      [params.bgNbd.r, params.bgNbd.alpha, params.bgNbd.a, params.bgNbd.b].map((v, i) =>
        within(v, [0.243, 4.414, 0.793, 2.426][i]!),
      ),
    ).toEqual([true, true, true, true]);
    expect(
      [params.gammaGamma.p, params.gammaGamma.q, params.gammaGamma.gamma].map((v, i) =>
        within(v, [6.25, 3.74, 15.44][i]!),
      ),
    ).toEqual([true, true, true]);

    // Customer 0001 (x=2, t_x=30.43, T=38.86): the paper's 1.226 expected purchases in 39 weeks.
    const p = (await findProfile(pool, profileIdOf('0001')))!;
    const clv = p.computed.clv as Record<string, number>;
    expect(clv.expectedPurchases).toBeCloseTo(1.226, 1);
    expect(clv.predictedClv).toBeCloseTo(clv.expectedPurchases! * clv.expectedAverageOrderValue!, 0);
    const stored = await pool.query('SELECT params FROM clv_models ORDER BY id DESC LIMIT 1');
    expect(stored.rows[0].params.bgNbd.r).toBeCloseTo(params.bgNbd.r!, 6);
  }, 60_000);

  it('rescoreRfm should give every customer quintile scores against the store distribution', async () => {
    const scored = await rescoreRfm(core, new Date('1998-07-01T00:00:00Z'));
    expect(scored).toBe(2357);
    const p = (await findProfile(pool, profileIdOf('0001')))!;
    expect(p.computed.rfm).toMatchObject({
      r: expect.any(Number),
      f: expect.any(Number),
      m: expect.any(Number),
    });
    const { rows } = await pool.query<{ seg: string; n: string }>(
      `SELECT computed->'rfm'->>'f' AS seg, count(*) AS n FROM profiles GROUP BY 1`,
    );
    expect(rows.length).toBeGreaterThan(1);
  }, 30_000);
});
