import { randomUUID } from 'node:crypto';
import { extractIdentifiers } from '@tessera/identifiers';
import { useIdentityHarness } from '../test-support/identity-harness';
import { testEvent, testHasher, uniqueTag } from '../test-support/fixtures';

// Real infrastructure on a shared 2-core machine: generous, but bounded.
jest.setTimeout(60_000);

const h = useIdentityHarness();

describe('identity resolution scenarios (real Redis and Postgres)', () => {
  it('should stitch anonymous web and app devices to the known profile on identify', async () => {
    const u = uniqueTag();
    const web = await h().resolve(testEvent([['anonymous_id', `web-${u}`]]));
    const app = await h().resolve(testEvent([['anonymous_id', `app-${u}`]], { channel: 'app' }));
    expect(web.resolved[0]!.profileId).not.toBe(app.resolved[0]!.profileId);
    await h().resolve(
      testEvent(
        [
          ['user_id', `user-${u}`],
          ['anonymous_id', `web-${u}`],
        ],
        { type: 'identify' },
      ),
    );
    const stitched = await h().resolve(
      testEvent(
        [
          ['user_id', `user-${u}`],
          ['anonymous_id', `app-${u}`],
        ],
        { type: 'identify', channel: 'app' },
      ),
    );
    const profile = await h().profileOf('user_id', `user-${u}`);
    expect(await h().profileOf('anonymous_id', `web-${u}`)).toBe(profile);
    expect(await h().profileOf('anonymous_id', `app-${u}`)).toBe(profile);
    expect(stitched.changes).toHaveLength(1);
    // The older profile survives, so concurrent workers agree on the id.
    expect(profile).toBe([web.resolved[0]!.profileId, app.resolved[0]!.profileId].sort()[0]);
    const { rows } = await h().pool.query(
      'SELECT survivor_id::text, absorbed_id::text, rule, event_id::text FROM merges WHERE survivor_id = $1',
      [profile],
    );
    expect(rows).toEqual([
      {
        survivor_id: profile,
        absorbed_id: stitched.changes[0]!.absorbedId,
        rule: 'exact:anonymous_id',
        event_id: stitched.resolved[0]!.event.eventId,
      },
    ]);
  });

  it('should stitch an alias previousId (as ingest extracts it) to the new user id', async () => {
    const u = uniqueTag();
    const browse = await h().resolve(testEvent([['anonymous_id', `anon-${u}`]]));
    const alias = { type: 'alias' as const, userId: `known-${u}`, previousId: `anon-${u}` };
    const { identifiers } = extractIdentifiers(alias);
    const r = await h().resolve(
      testEvent(identifiers, { type: 'alias', userId: alias.userId, previousId: alias.previousId }),
    );
    expect(r.resolved[0]!.profileId).toBe(browse.resolved[0]!.profileId);
    expect(await h().profileOf('user_id', `known-${u}`)).toBe(browse.resolved[0]!.profileId);
  });

  it('should merge two known profiles when an event shows the same email with both', async () => {
    const u = uniqueTag();
    await h().resolve(
      testEvent([
        ['email', `ada-${u}@lovelace.org`],
        ['anonymous_id', `a-${u}`],
      ]),
    );
    await h().resolve(testEvent([['user_id', `ada-${u}`]]));
    const merge = await h().resolve(
      testEvent(
        [
          ['user_id', `ada-${u}`],
          ['email', `ada-${u}@lovelace.org`],
        ],
        { type: 'identify' },
      ),
    );
    expect(merge.changes).toEqual([
      expect.objectContaining({
        kind: 'merge',
        linkingIdentifier: { type: 'email', hash: testHasher('email', `ada-${u}@lovelace.org`) },
        rule: 'exact:email',
      }),
    ]);
    expect(await h().profileOf('anonymous_id', `a-${u}`)).toBe(await h().profileOf('user_id', `ada-${u}`));
    expect(merge.resolved[0]!.profileId).toBe(merge.changes[0]!.survivorId);
  });

  it('should refuse a merge that would give a profile two user_ids and record why', async () => {
    const u = uniqueTag();
    await h().resolve(
      testEvent([
        ['user_id', `u1-${u}`],
        ['email', `one-${u}@mail.org`],
      ]),
    );
    await h().resolve(
      testEvent([
        ['user_id', `u2-${u}`],
        ['email', `two-${u}@mail.org`],
      ]),
    );
    const r = await h().resolve(
      testEvent([
        ['email', `one-${u}@mail.org`],
        ['email', `two-${u}@mail.org`],
      ]),
    );
    expect(r.changes).toHaveLength(0);
    expect(r.resolved[0]!.decisions).toContainEqual(
      expect.objectContaining({ outcome: 'refused_limit', rule: 'limit:user_id' }),
    );
    expect(await h().profileOf('user_id', `u1-${u}`)).not.toBe(await h().profileOf('user_id', `u2-${u}`));
    const { rows } = await h().pool.query(
      'SELECT outcome, rule, identifier_type FROM decisions WHERE event_id = $1',
      [r.resolved[0]!.event.eventId],
    );
    expect(rows).toEqual([{ outcome: 'refused_limit', rule: 'limit:user_id', identifier_type: 'email' }]);
  });

  it('should stop attaching emails beyond the per-profile limit', async () => {
    const u = uniqueTag();
    for (let i = 1; i <= 5; i++)
      await h().resolve(
        testEvent([
          ['user_id', `many-${u}`],
          ['email', `e${i}-${u}@mail.org`],
        ]),
      );
    const sixth = await h().resolve(
      testEvent([
        ['user_id', `many-${u}`],
        ['email', `e6-${u}@mail.org`],
      ]),
    );
    expect(sixth.resolved[0]!.decisions).toContainEqual(
      expect.objectContaining({ outcome: 'refused_limit', rule: 'limit:email' }),
    );
    expect(await h().profileOf('email', `e6-${u}@mail.org`)).toBeUndefined();
  });

  it('should never merge people through blocklisted junk values', async () => {
    const u = uniqueTag();
    const a = await h().resolve(
      testEvent([
        ['email', `a-${u}@shop.org`],
        ['phone', '0000000000'],
      ]),
    );
    const b = await h().resolve(
      testEvent([
        ['email', `b-${u}@shop.org`],
        ['phone', '0000000000'],
      ]),
    );
    const c = await h().resolve(
      testEvent([
        ['email', `c-${u}@shop.org`],
        ['email', 'test@test.com'],
      ]),
    );
    const d = await h().resolve(
      testEvent([
        ['email', `d-${u}@shop.org`],
        ['email', 'test@test.com'],
      ]),
    );
    const profiles = [a, b, c, d].map((x) => x.resolved[0]!.profileId);
    expect(new Set(profiles).size).toBe(4);
    expect(b.resolved[0]!.decisions).toContainEqual(
      expect.objectContaining({ outcome: 'refused_blocklist', rule: 'blocklist:phone' }),
    );
    expect(await h().profileOf('phone', '0000000000')).toBeUndefined();
  });

  it('should quarantine a shared phone and split the people it had already glued together', async () => {
    const u = uniqueTag();
    const phone = `+1415${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    const people = [1, 2, 3, 4, 5, 6].map((i) => `p${i}-${u}@mail.org`);
    for (const email of people)
      await h().resolve(
        testEvent([
          ['email', email],
          ['phone', phone],
        ]),
      );
    // Repeats by one person are not fan-in.
    const profiles = await Promise.all(people.map((e) => h().profileOf('email', e)));
    expect(new Set(profiles).size).toBe(6);
    const { rows } = await h().pool.query(
      'SELECT identifier_type, actor FROM quarantine WHERE identifier_hash = $1',
      [testHasher('phone', phone)],
    );
    expect(rows).toEqual([{ identifier_type: 'phone', actor: 'system:identity' }]);
    const splits = h()
      .publisher.messages('identityChanges')
      .filter((c) => c.kind === 'split' && c.removedIdentifier.hash === testHasher('phone', phone));
    expect(splits).toHaveLength(1);
    const later = await h().resolve(
      testEvent([
        ['email', people[0]!],
        ['phone', phone],
        ['email', `p7-${u}@mail.org`],
      ]),
    );
    expect(later.resolved[0]!.decisions).toContainEqual(
      expect.objectContaining({ outcome: 'refused_quarantine' }),
    );
    expect(await h().profileOf('email', people[1]!)).not.toBe(await h().profileOf('email', people[0]!));
  });

  it('should keep two household members apart on a shared tablet', async () => {
    const u = uniqueTag();
    await h().resolve(testEvent([['anonymous_id', `tablet-${u}`]]));
    await h().resolve(
      testEvent(
        [
          ['user_id', `mum-${u}`],
          ['anonymous_id', `tablet-${u}`],
        ],
        { type: 'identify' },
      ),
    );
    const dad = await h().resolve(
      testEvent(
        [
          ['user_id', `dad-${u}`],
          ['anonymous_id', `tablet-${u}`],
        ],
        { type: 'identify' },
      ),
    );
    expect(await h().profileOf('user_id', `mum-${u}`)).not.toBe(await h().profileOf('user_id', `dad-${u}`));
    expect(dad.resolved[0]!.profileId).toBe(await h().profileOf('user_id', `dad-${u}`));
    expect(dad.resolved[0]!.decisions).toContainEqual(
      expect.objectContaining({
        identifier: { type: 'anonymous_id', hash: testHasher('anonymous_id', `tablet-${u}`) },
        outcome: 'refused_limit',
      }),
    );
  });

  it('should unmerge a wrong link into the components its evidence supports and not re-merge it', async () => {
    const u = uniqueTag();
    const phone = `+4420${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
    await h().resolve(
      testEvent([
        ['user_id', `kim-${u}`],
        ['email', `kim-${u}@mail.org`],
      ]),
    );
    await h().resolve(
      testEvent([
        ['email', `kim-${u}@mail.org`],
        ['phone', phone],
      ]),
    );
    await h().resolve(
      testEvent([
        ['phone', phone],
        ['email', `lee-${u}@mail.org`],
        ['crm_id', `c-${u}`],
      ]),
    );
    const profile = (await h().profileOf('user_id', `kim-${u}`))!;
    expect(await h().profileOf('crm_id', `c-${u}`)).toBe(profile);
    const split = await h().core.unmerge.unmerge({
      profileId: profile,
      identifier: { type: 'phone', hash: testHasher('phone', phone) },
      reason: 'shared office phone',
      actor: 'cli:test',
    });
    expect(split.components).toHaveLength(3);
    expect(split.components[0]!.profileId).toBe(profile);
    expect(await h().profileOf('email', `kim-${u}@mail.org`)).toBe(profile);
    const lee = await h().profileOf('email', `lee-${u}@mail.org`);
    expect(lee).not.toBe(profile);
    expect(await h().profileOf('crm_id', `c-${u}`)).toBe(lee);
    expect(await h().profileOf('phone', phone)).not.toBe(profile);
    expect(h().publisher.messages('identityChanges')).toContainEqual(split);
    expect(h().publisher.messages('audit')).toContainEqual(
      expect.objectContaining({ action: 'graph.unmerge', actor: 'cli:test' }),
    );
    const again = await h().resolve(
      testEvent([
        ['email', `kim-${u}@mail.org`],
        ['phone', phone],
      ]),
    );
    expect(again.changes).toHaveLength(0);
    expect(await h().profileOf('email', `lee-${u}@mail.org`)).toBe(lee);
  });

  it('should erase a subject from the graph and the identity schema, idempotently', async () => {
    const u = uniqueTag();
    await h().resolve(
      testEvent([
        ['user_id', `gone-${u}`],
        ['email', `gone-${u}@mail.org`],
      ]),
    );
    await h().resolve(testEvent([['anonymous_id', `gone-${u}`]]));
    await h().resolve(
      testEvent([
        ['user_id', `gone-${u}`],
        ['anonymous_id', `gone-${u}`],
      ]),
    );
    const profile = (await h().profileOf('user_id', `gone-${u}`))!;
    const command = {
      schemaVersion: 1 as const,
      requestId: randomUUID(),
      kind: 'erase' as const,
      profileIds: [profile],
      identifiers: [],
      requestedAt: new Date().toISOString(),
    };
    const status = await h().core.erase.erase(command);
    expect(status).toMatchObject({
      service: 'identity',
      status: 'done',
      details: { residue: 0, identifiers: 3 },
    });
    expect(await h().profileOf('email', `gone-${u}@mail.org`)).toBeUndefined();
    expect(await h().profileOf('anonymous_id', `gone-${u}`)).toBeUndefined();
    const { rows } = await h().pool.query('SELECT count(*)::int AS n FROM links WHERE identifier_hash = $1', [
      testHasher('email', `gone-${u}@mail.org`),
    ]);
    expect(rows[0].n).toBe(0);
    expect((await h().core.erase.erase(command)).details.residue).toBe(0);
    expect(
      h()
        .publisher.messages('privacyStatus')
        .filter((s) => s.requestId === command.requestId),
    ).toHaveLength(2);
  });
});
