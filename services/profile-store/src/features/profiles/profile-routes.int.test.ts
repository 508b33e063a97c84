import { createStaticKeyDirectory, generateApiKey } from '@tessera/access';
import { AppError, uuidv7, type AuditEventV1 } from '@tessera/contracts';
import { createMetricsRegistry } from '@tessera/observability';
import { captureLogs } from '@tessera/testkit';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { buildApp } from '../../app';
import { createProfileStoreCore, type ProfileStoreCore } from '../../profile-store-core';
import { migratedDatabase } from '../../test-support/database';
import { order, resolvedEvent, testSettings } from '../../test-support/fixtures';
import { ingestResolvedBatch } from '../ingestion/ingest-batch';
import { applyIdentityChange } from '../merges/identity-change-service';
import type { AuditSink } from './audit-sink';
import { normalizeForLookup } from './identifier-normalizer';
import {
  readProfileView,
  readProfileViewByIdentifier,
  readProfileViews,
  readProfileViewsByIdentifier,
} from './profile-read-model';
import { createProfileService } from './profile-service';

let pool: pg.Pool;
let close: () => Promise<void>;
let core: ProfileStoreCore;
let app: FastifyInstance;
const audited: AuditEventV1[] = [];
let auditDown = false;
const audit: AuditSink = {
  record: async (e) => {
    // What the Kafka sink throws when the broker does not acknowledge.
    if (auditDown) throw new AppError('UPSTREAM_UNAVAILABLE', 'audit topic unavailable', { statusCode: 503 });
    audited.push(e);
  },
};
const logs = captureLogs({ name: 'profile-store', level: 'info' });
const reader = generateApiKey({ name: 'reader', scopes: ['profile:read'] });
const piiReader = generateApiKey({ name: 'support', scopes: ['profile:read', 'pii:read'] });
const admin = generateApiKey({ name: 'dpo', scopes: ['privacy:admin'] });
const writer = generateApiKey({ name: 'writer', scopes: ['ingest:write'] });
const id = uuidv7();
const absorbed = uuidv7();
const readBatches: Array<{ by: string; size: number }> = [];

beforeAll(async () => {
  ({ pool, close } = await migratedDatabase());
  core = createProfileStoreCore(testSettings, pool);
  const profiles = createProfileService({
    db: pool,
    vault: core.vault,
    hasher: core.hasher,
    audit,
    normalize: normalizeForLookup,
    onReadBatch: (by, size) => readBatches.push({ by, size }),
  });
  app = await buildApp({
    logger: logs.logger,
    registry: createMetricsRegistry({ service: 'profile-store-test', collectDefault: false }),
    pool,
    keys: createStaticKeyDirectory([reader.record, piiReader.record, admin.record, writer.record]),
    profiles,
  });
  const email = { type: 'email', value: 'ana.lima@example.com' };
  await ingestResolvedBatch(core, [
    resolvedEvent({
      profileId: id,
      identifiers: [email, { type: 'phone', value: '+4915112345678' }],
      traits: { email: email.value, phone: '+4915112345678', firstName: 'Ana', plan: 'pro', tier: 3 },
      at: '2026-01-01T00:00:00.000Z',
    }),
    ...Array.from({ length: 7 }, (_, i) =>
      order(id, 10 + i, `2026-01-${String(2 + i).padStart(2, '0')}T00:00:00.000Z`, {
        identifiers: [email],
        sourceId: i % 2 ? 'shop' : 'pos-1',
      }),
    ),
  ]);
  await applyIdentityChange(core, {
    schemaVersion: 1,
    kind: 'merge',
    changeId: uuidv7(),
    survivorId: id,
    absorbedId: absorbed,
    linkingIdentifier: { type: 'email', hash: core.hasher('email', email.value) },
    rule: 'email',
    at: new Date().toISOString(),
  });
});
afterAll(async () => {
  await app.close();
  await close();
});

const get = (url: string, key?: { token: string }) =>
  app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key.token}` } : {} });

describe('profile API', () => {
  it('GET /v1/profiles/:id should mask personal traits without pii:read and audit nothing', async () => {
    audited.length = 0;
    const res = await get(`/v1/profiles/${id}`, reader);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      id,
      piiMasked: true,
      traits: { plan: 'pro', tier: 3, email: 'a***@example.com', firstName: 'A***' },
      computed: { orderCount: 7 },
    });
    expect(body.traits.phone).toMatch(/^\+49\*+78$/);
    // Same instants and format as the stored row read through pg's Date parsing.
    const { rows } = await pool.query<{ created_at: Date; updated_at: Date }>(
      'SELECT created_at, updated_at FROM profiles WHERE id = $1',
      [id],
    );
    expect(body.createdAt).toBe(rows[0]!.created_at.toISOString());
    expect(body.updatedAt).toBe(rows[0]!.updated_at.toISOString());
    expect(audited).toHaveLength(0);
  });

  it('GET /v1/profiles/:id should return personal traits to pii:read keys and audit the read', async () => {
    audited.length = 0;
    const body = (await get(`/v1/profiles/${id}`, piiReader)).json();
    expect(body.traits).toMatchObject({ email: 'ana.lima@example.com', firstName: 'Ana' });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      action: 'pii.read',
      actor: piiReader.record.keyId,
      subject: { profileId: id },
    });
    expect(JSON.stringify(audited[0])).not.toContain('ana.lima');
    expect(logs.text()).not.toContain('ana.lima@example.com');
  });

  it('should return nothing personal to a pii:read key when the audit cannot be written', async () => {
    auditDown = true;
    try {
      for (const url of [
        `/v1/profiles/${id}`,
        '/v1/profiles/lookup?type=email&value=ana.lima%40example.com',
      ]) {
        const res = await get(url, piiReader);
        expect(res.statusCode).toBe(503);
        expect(res.body).not.toContain('ana.lima');
        expect(res.body).not.toContain('Ana');
      }
      // Masked reads do not depend on the audit topic.
      expect((await get(`/v1/profiles/${id}`, reader)).statusCode).toBe(200);
    } finally {
      auditDown = false;
    }
  });

  it('GET of an absorbed id should return the surviving profile with mergedFrom', async () => {
    const body = (await get(`/v1/profiles/${absorbed}`, reader)).json();
    expect(body).toMatchObject({ id, requestedId: absorbed, mergedFrom: [absorbed] });
  });

  it('GET and lookup should follow a merge chain of several hops to the survivor', async () => {
    // Mid-merge a pointer can lead to another pointer: older -> absorbed -> id.
    const older = uuidv7();
    const hash = core.hasher('email', 'old.address@example.com');
    await pool.query('INSERT INTO profiles (id, merged_into) VALUES ($1, $2)', [older, absorbed]);
    await pool.query(
      `INSERT INTO identities (type, hash, profile_id, first_seen, last_seen) VALUES ('email', $1, $2, now(), now())`,
      [hash, older],
    );
    const byId = (await get(`/v1/profiles/${older}`, reader)).json();
    expect(byId).toMatchObject({ id, requestedId: older, traits: { plan: 'pro' } });
    const byIdentifier = await get('/v1/profiles/lookup?type=email&value=old.address%40example.com', reader);
    expect(byIdentifier.statusCode).toBe(200);
    expect(byIdentifier.json()).toMatchObject({ id, traits: { email: 'a***@example.com' } });
    expect(byIdentifier.json().requestedId).toBeUndefined();
  });

  it('lookup with pii:read should return personal traits and audit the read as a lookup', async () => {
    audited.length = 0;
    const res = await get('/v1/profiles/lookup?type=phone&value=%2B4915112345678', piiReader);
    expect(res.json()).toMatchObject({ id, piiMasked: false, traits: { phone: '+4915112345678' } });
    expect(audited).toEqual([
      expect.objectContaining({
        action: 'pii.read',
        subject: { profileId: id },
        details: { endpoint: 'lookup', fields: expect.arrayContaining(['traits.email', 'traits.phone']) },
      }),
    ]);
  });

  it('lookup should normalize the value like ingest and find the profile', async () => {
    const res = await get(
      `/v1/profiles/lookup?type=email&value=${encodeURIComponent('  Ana.Lima@Example.COM ')}`,
      reader,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(id);
    expect(
      (await get('/v1/profiles/lookup?type=email&value=nobody%40example.com', reader)).json(),
    ).toMatchObject({ code: 'PROFILE_NOT_FOUND' });
    const invalid = await get('/v1/profiles/lookup?type=email&value=not-an-email', reader);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'query.value' }] });
  });

  it('should answer 404 PROFILE_NOT_FOUND and 400 VALIDATION_FAILED with field paths', async () => {
    const missing = await get(`/v1/profiles/${uuidv7()}`, reader);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'PROFILE_NOT_FOUND', requestId: expect.any(String) });
    const bad = await get('/v1/profiles/not-a-uuid', reader);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'params.id' }] });
    const badQuery = await get(`/v1/profiles/${id}/events?limit=0&cursor=zzz`, reader);
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().details.map((d: { path: string }) => d.path)).toContain('query.limit');
  });

  it('should require a key with the right scope', async () => {
    expect((await get(`/v1/profiles/${id}`)).statusCode).toBe(401);
    expect((await get(`/v1/profiles/${id}`, writer)).json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await get(`/v1/profiles/${id}/export`, reader)).statusCode).toBe(403);
  });

  it('GET /events should paginate with an opaque cursor and filter by type, source and time', async () => {
    const seen: string[] = [];
    let url = `/v1/profiles/${id}/events?limit=3`;
    for (let page = 0; page < 5; page++) {
      const body = (await get(url, reader)).json();
      seen.push(...body.events.map((e: { eventId: string }) => e.eventId));
      if (!body.nextCursor) break;
      url = `/v1/profiles/${id}/events?limit=3&cursor=${body.nextCursor}`;
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    const orders = (
      await get(
        `/v1/profiles/${id}/events?type=track&source=shop&from=2026-01-03T00:00:00Z&to=2026-01-07T00:00:00Z`,
        reader,
      )
    ).json();
    expect(orders.events.map((e: { occurredAt: string }) => e.occurredAt)).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
  });

  it('GET /traits should give golden values with their winning observation, and history on request', async () => {
    const body = (await get(`/v1/profiles/${id}/traits?history=true`, reader)).json();
    expect(body.traits.plan).toMatchObject({
      value: 'pro',
      winner: { source: 'web-source', rule: 'most_recent', observationId: expect.any(String) },
    });
    expect(body.traits.email.value).toBe('a***@example.com');
    expect(body.history.plan).toHaveLength(1);
    expect(body.history.firstName[0].value).toBe('A***');
  });

  it('GET /identities should mask raw values without pii:read', async () => {
    const masked = (await get(`/v1/profiles/${id}/identities`, reader)).json();
    expect(masked.identities.find((i: { type: string }) => i.type === 'email').value).toBe(
      'a***@example.com',
    );
    const open = (await get(`/v1/profiles/${id}/identities`, piiReader)).json();
    expect(open.identities.find((i: { type: string }) => i.type === 'email').value).toBe(
      'ana.lima@example.com',
    );
  });

  it('search should find profiles by a golden trait and refuse personal traits', async () => {
    const body = (await get('/v1/profiles/search?trait=tier&value=3', reader)).json();
    expect(body.profiles.map((p: { id: string }) => p.id)).toEqual([id]);
    expect((await get('/v1/profiles/search?trait=email&value=x', reader)).statusCode).toBe(400);
  });

  it('export should return everything decrypted to privacy:admin and audit it', async () => {
    audited.length = 0;
    const body = (await get(`/v1/profiles/${id}/export`, admin)).json();
    expect(body.profile.traits.email).toBe('ana.lima@example.com');
    expect(body.identities.map((i: { value: string }) => i.value)).toContain('+4915112345678');
    expect(body.events).toHaveLength(8);
    expect(body.merges).toHaveLength(1);
    expect(body.traits.some((t: { trait: string; golden: boolean }) => t.trait === 'plan' && t.golden)).toBe(
      true,
    );
    expect(audited[0]).toMatchObject({ action: 'profile.export' });
  });

  it('should serve the OpenAPI document at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toContain('/v1/profiles/{id}/events');
  });
});

describe('profile reads arriving together', () => {
  const missing = uuidv7();

  it('reads several profiles in one statement, in request order, following merges', async () => {
    const views = await readProfileViews(pool, [absorbed, missing, id, absorbed]);
    const survivor = await readProfileView(pool, id);
    expect(survivor?.id).toBe(id);
    expect(views).toEqual([survivor, undefined, survivor, survivor]);
  });

  it('reads the owners of several identifiers in one statement, in request order', async () => {
    const email = { type: 'email', hash: core.hasher('email', 'ana.lima@example.com') };
    const unknown = { type: 'email', hash: core.hasher('email', 'nobody@example.com') };
    const phoneUnderEmail = { type: 'email', hash: core.hasher('phone', '+4915112345678') };
    const views = await readProfileViewsByIdentifier(pool, [unknown, email, phoneUnderEmail, email]);
    const owner = await readProfileViewByIdentifier(pool, email);
    expect(owner?.id).toBe(id);
    expect(views).toEqual([undefined, owner, undefined, owner]);
  });

  it('answers concurrent API reads each with its own profile or 404 while they share statements', async () => {
    readBatches.length = 0;
    const responses = await Promise.all([
      get(`/v1/profiles/${id}`, reader),
      get(`/v1/profiles/${absorbed}`, reader),
      get(`/v1/profiles/${missing}`, reader),
      get('/v1/profiles/lookup?type=email&value=ANA.LIMA@example.com', reader),
      get('/v1/profiles/lookup?type=email&value=nobody@example.com', reader),
      get('/v1/profiles/lookup?type=phone&value=%2B49%20151%2012345678', reader),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 404, 200, 404, 200]);
    expect(responses[0]!.json()).toMatchObject({ id, traits: { plan: 'pro' } });
    expect(responses[0]!.json()).not.toHaveProperty('requestedId');
    expect(responses[1]!.json()).toMatchObject({ id, requestedId: absorbed });
    expect(responses[2]!.json()).toMatchObject({ code: 'PROFILE_NOT_FOUND' });
    expect(responses[3]!.json()).toMatchObject({ id });
    expect(responses[5]!.json()).toMatchObject({ id });
    // The six reads went out in fewer statements than requests, each kind at least once.
    const sent = readBatches.reduce((n, b) => n + b.size, 0);
    expect(sent).toBe(6);
    expect(readBatches.length).toBeLessThan(6);
    expect(new Set(readBatches.map((b) => b.by))).toEqual(new Set(['id', 'identifier']));
  });
});
