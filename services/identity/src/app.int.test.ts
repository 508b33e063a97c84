import { createStaticKeyDirectory, generateApiKey } from '@tessera/access';
import { createMetricsRegistry } from '@tessera/observability';
import { captureLogs } from '@tessera/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { testEvent, testHasher } from './test-support/fixtures';
import { createIdentityHarness } from './test-support/identity-harness';
import type { IdentityHarness } from './test-support/identity-harness';

jest.setTimeout(60_000);

let h: IdentityHarness;
let app: FastifyInstance;
const reader = generateApiKey({ name: 'steward', scopes: ['profile:read'] });
const admin = generateApiKey({ name: 'privacy-admin', scopes: ['privacy:admin'] });
const logs = captureLogs({ name: 'identity-http', level: 'debug' });

beforeAll(async () => {
  h = await createIdentityHarness();
  app = await buildApp({
    logger: logs.logger,
    registry: createMetricsRegistry({ service: 'identity-test', collectDefault: false }),
    pool: h.pool,
    redis: h.redis.redis,
    keys: createStaticKeyDirectory([reader.record, admin.record]),
    unmerge: h.core.unmerge,
  });
});
afterAll(async () => {
  await app.close();
  await h.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('identity HTTP API', () => {
  it('should explain a profile: merges with linking identifier, rule and event, and refused decisions', async () => {
    await h.resolve(testEvent([['anonymous_id', 'http-a1']]));
    await h.resolve(
      testEvent([
        ['user_id', 'http-u1'],
        ['email', 'http-u1@mail.org'],
      ]),
    );
    const merge = await h.resolve(
      testEvent(
        [
          ['user_id', 'http-u1'],
          ['anonymous_id', 'http-a1'],
        ],
        { type: 'identify' },
      ),
    );
    const refused = await h.resolve(
      testEvent([
        ['user_id', 'http-u2'],
        ['email', 'http-u1@mail.org'],
      ]),
    );
    const profileId = merge.resolved[0]!.profileId;
    const res = await app.inject({
      method: 'GET',
      url: `/v1/profiles/${merge.changes[0]!.absorbedId}/merges`,
      headers: auth(reader.token),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.currentProfileId).toBe(profileId);
    expect(body.merges).toEqual([
      expect.objectContaining({
        survivorId: merge.changes[0]!.survivorId,
        absorbedId: merge.changes[0]!.absorbedId,
        rule: merge.changes[0]!.rule,
        linkingIdentifier: merge.changes[0]!.linkingIdentifier,
        triggeringEvent: expect.objectContaining({ eventId: merge.resolved[0]!.event.eventId }),
      }),
    ]);
    // The refusal was recorded against the profile the event resolved to (u2's), not u1's.
    const other = await app.inject({
      method: 'GET',
      url: `/v1/profiles/${refused.resolved[0]!.profileId}/merges`,
      headers: auth(reader.token),
    });
    expect(other.json().decisions).toContainEqual(
      expect.objectContaining({
        outcome: 'refused_limit',
        rule: 'limit:user_id',
        identifier: { type: 'email', hash: testHasher('email', 'http-u1@mail.org') },
      }),
    );
  });

  it('should answer 401 without a key, 403 without the scope, 400 with field paths and 404 for unknown profiles', async () => {
    expect(
      (await app.inject({ method: 'GET', url: '/v1/profiles/01900000-0000-7000-8000-000000000000/merges' }))
        .statusCode,
    ).toBe(401);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/v1/profiles/01900000-0000-7000-8000-000000000000/merges',
          headers: auth(admin.token),
        })
      ).statusCode,
    ).toBe(403);
    const bad = await app.inject({
      method: 'GET',
      url: '/v1/profiles/not-a-uuid/merges',
      headers: auth(reader.token),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([expect.objectContaining({ path: 'params.id' })]);
    const missing = await app.inject({
      method: 'GET',
      url: '/v1/profiles/01900000-0000-7000-8000-000000000000/merges',
      headers: auth(reader.token),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('PROFILE_NOT_FOUND');
  });

  it('should unmerge over HTTP with privacy:admin and record the split in the history', async () => {
    await h.resolve(
      testEvent([
        ['email', 'http-x@mail.org'],
        ['phone', '+14155550999'],
      ]),
    );
    await h.resolve(
      testEvent([
        ['phone', '+14155550999'],
        ['email', 'http-y@mail.org'],
      ]),
    );
    const profileId = (await h.profileOf('email', 'http-x@mail.org'))!;
    const identifier = { type: 'phone', hash: testHasher('phone', '+14155550999') };
    const forbidden = await app.inject({
      method: 'POST',
      url: `/v1/profiles/${profileId}/unmerge`,
      headers: auth(reader.token),
      payload: { identifier, reason: 'shared phone' },
    });
    expect(forbidden.statusCode).toBe(403);
    const invalid = await app.inject({
      method: 'POST',
      url: `/v1/profiles/${profileId}/unmerge`,
      headers: auth(admin.token),
      payload: { identifier },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().details).toEqual([expect.objectContaining({ path: 'body.reason' })]);
    const res = await app.inject({
      method: 'POST',
      url: `/v1/profiles/${profileId}/unmerge`,
      headers: auth(admin.token),
      payload: { identifier, reason: 'shared phone' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().components).toHaveLength(3);
    expect(await h.profileOf('email', 'http-y@mail.org')).not.toBe(profileId);
    const history = await app.inject({
      method: 'GET',
      url: `/v1/profiles/${profileId}/merges`,
      headers: auth(reader.token),
    });
    expect(history.json().splits).toEqual([
      expect.objectContaining({
        reason: 'shared phone',
        actor: admin.record.keyId,
        removedIdentifier: identifier,
      }),
    ]);
    expect(logs.text()).not.toContain('http-x@mail.org');
  });

  it('should report ready when Postgres, Redis and the key directory are', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toEqual({ postgres: true, redis: true, accessKeys: true });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
