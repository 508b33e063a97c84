import { uuidv7 } from '@tessera/contracts';
import type { PrivacyStatusV1 } from '@tessera/contracts';
import { collectMessages, waitFor } from '@tessera/testkit';
import { createPrivacyStatusConsumer } from '../../consumers/privacy-status-consumer';
import type { ConsentCore } from '../../consent-core';
import { activationTopics } from '../activation/destinations';
import { createConsentHarness, startFakeUpstream } from '../../test-support/consent-harness';
import type { ConsentHarness } from '../../test-support/consent-harness';

const TOKEN = 'tsk_fakeadmin_secret';
const P1 = '01890000-0000-7000-8000-00000000d001';
const P0 = '01890000-0000-7000-8000-00000000d000';
const EMAIL = 'jane.roe@example.com';
const P2 = '01890000-0000-7000-8000-00000000d002';

describe('data-subject requests', () => {
  let h: ConsentHarness;
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let overrides: Parameters<ConsentHarness['newCore']>[0];
  let emailHash: string;
  let anonHash: string;
  const exports: Record<string, unknown> = {};

  beforeAll(async () => {
    h = await createConsentHarness({ kafka: true });
    const hasher = h.newCore().hasher;
    emailHash = hasher('email', EMAIL);
    anonHash = hasher('anonymous_id', 'anon-1');
    upstream = await startFakeUpstream({
      token: TOKEN,
      lookups: { [`email:${EMAIL}`]: P1, 'email:ann@example.com': P2 },
      exports: Object.assign(exports, {
        [P1]: {
          profile: { id: P1, mergedFrom: [P0], traits: { email: EMAIL, firstName: 'Jane' }, consent: {} },
          identities: [
            { type: 'email', hash: emailHash, value: EMAIL, sources: ['web'] },
            { type: 'anonymous_id', hash: anonHash, value: 'anon-1', sources: ['web'] },
          ],
          traits: [{ trait: 'firstName', value: 'Jane', source: 'web', golden: true }],
          events: [{ eventId: uuidv7(), type: 'track', event: 'Order Completed' }],
          merges: [{ kind: 'merge', details: { absorbedId: P0 } }],
        },
        [P2]: {
          profile: { id: P2, mergedFrom: [], traits: { firstName: 'Anne' } },
          identities: [],
          traits: [],
          events: [],
          merges: [],
        },
      }),
      merges: { [P1]: { profileId: P1, merges: [{ absorbedId: P0, rule: 'email' }] } },
    });
    overrides = { PROFILE_STORE_URL: upstream.url, IDENTITY_URL: upstream.url, PRIVACY_ADMIN_TOKEN: TOKEN };
    await h
      .kafka!.kafka.admin()
      .ensureTopics([], activationTopics(h.newCore().destinations, h.kafka!.prefix, 1));
  });
  afterAll(async () => {
    await upstream.close();
    await h.close();
  });

  async function seedSubject(core: ConsentCore): Promise<void> {
    const at = new Date('2026-01-01T00:00:00Z');
    await core.consent.record(
      [
        {
          recordId: uuidv7(),
          subject: { profileId: P1 },
          purpose: 'email_marketing',
          status: 'granted',
          source: 'web',
          effectiveAt: at,
        },
        {
          recordId: uuidv7(),
          subject: { profileId: P0 },
          purpose: 'sms_marketing',
          status: 'granted',
          source: 'web',
          effectiveAt: at,
        },
        {
          recordId: uuidv7(),
          subject: { identifier: { type: 'email', hash: emailHash } },
          purpose: 'analytics',
          status: 'denied',
          source: 'esp',
          effectiveAt: at,
        },
      ],
      'test',
    );
    await h.pool.query(
      "INSERT INTO activation_members (destination, profile_id, version, present) VALUES ('email', $1, 3, true)",
      [P1],
    );
  }

  it('access request should bundle profile-store export, identity merges, consents and audit entries', async () => {
    const core = h.newCore(overrides);
    await seedSubject(core);
    const created = await core.dsr.create({
      kind: 'access',
      jurisdiction: 'ccpa',
      subject: { profileId: P1 },
      actor: 'test',
    });
    expect(await core.dsr.run(created.requestId)).toBe('completed');
    const bundle = (await core.dsr.exportBundle(created.requestId, 'test')) as Record<string, unknown> & {
      profiles: Array<{ profile: { traits: Record<string, unknown> }; events: unknown[]; traits: unknown[] }>;
      consents: Array<{ subject: { profileId?: string }; purposes: Record<string, { status: string }> }>;
      audit: unknown[];
    };
    expect(bundle.format).toBe('tessera.dsr.access.v1');
    expect(bundle.subject).toEqual({
      profileIds: [P0, P1],
      identifiers: expect.arrayContaining([{ type: 'email', hash: emailHash }]),
    });
    expect(bundle.profiles[0]!.profile.traits.email).toBe(EMAIL);
    expect(bundle.profiles[0]!.events).toHaveLength(1);
    expect(bundle.profiles[0]!.traits).toHaveLength(1);
    expect(bundle.identityMerges).toEqual({
      [P1]: { profileId: P1, merges: [{ absorbedId: P0, rule: 'email' }] },
    });
    expect(bundle.consents.find((c) => c.subject.profileId === P1)?.purposes.email_marketing?.status).toBe(
      'granted',
    );
    expect(bundle.consents.find((c) => c.subject.profileId === P0)?.purposes.sms_marketing?.status).toBe(
      'granted',
    );
    expect(bundle.audit.length).toBeGreaterThan(0);
    const status = await core.dsr.status(created.requestId);
    expect(status.dueAt).toBe(new Date(Date.parse(status.receivedAt) + 45 * 86_400_000).toISOString());
  });

  it('erasure should survive a crash midway, publish commands, suppression and tombstones, and verify zero residue', async () => {
    const first = h.newCore(overrides);
    const created = await first.dsr.create({
      kind: 'erasure',
      jurisdiction: 'gdpr',
      subject: { identifiers: [{ type: 'email', value: EMAIL }] },
      actor: 'test',
    });
    // Run one step, then "crash": the first core is never used again.
    expect(await first.dsr.advance(created.requestId)).toBe('planned');

    const restarted = h.newCore(overrides);
    expect(await restarted.dsr.resumeOpen()).toBe(1);
    expect((await restarted.dsr.status(created.requestId)).status).toBe('dispatched');

    const commands = await collectMessages(h.kafka!.kafka, 'privacyCommands', {
      until: (ms) => ms.some((m) => m.value?.requestId === created.requestId),
    });
    const command = commands.find((m) => m.value?.requestId === created.requestId)!.value!;
    expect(command.profileIds).toEqual([P0, P1]);
    expect(command.identifiers).toEqual(
      expect.arrayContaining([
        { type: 'email', hash: emailHash },
        { type: 'anonymous_id', hash: anonHash },
      ]),
    );
    const suppressed = await collectMessages(h.kafka!.kafka, 'suppression', {
      until: (ms) => ms.length >= 2,
    });
    expect(suppressed.map((m) => m.key).sort()).toEqual(
      [`anonymous_id:${anonHash}`, `email:${emailHash}`].sort(),
    );
    const emailFeed = h.rawPublished.filter((m) => m.topic.endsWith('tessera.activation.email.v1'));
    expect(emailFeed).toEqual(expect.arrayContaining([{ topic: expect.any(String), key: P1, value: null }]));

    // Zero residue in this schema, by an independent scan: no row anywhere holds the raw email, and the
    // subject's ids survive only in the request's own plan, the erasure proof's request and the audit chain.
    const { rows: tables } = await h.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'consent' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name } of tables) {
      const { rows } = await h.pool.query<{ t: string }>(
        `SELECT row_to_json(x)::text AS t FROM consent."${table_name}" x`,
      );
      const text = rows.map((r) => r.t).join('\n');
      expect(text.toLowerCase()).not.toContain(EMAIL);
      if (!['privacy_requests', 'audit_log', 'outbox'].includes(table_name)) {
        expect({ table_name, hit: [P0, P1, emailHash, anonHash].some((id) => text.includes(id)) }).toEqual({
          table_name,
          hit: false,
        });
      }
    }
    const { rows: proof } = await h.pool.query(
      'SELECT profile_count, identifier_count FROM erasure_records WHERE request_id = $1',
      [created.requestId],
    );
    expect(proof).toEqual([{ profile_count: 2, identifier_count: 2 }]);

    // identity and profile-store answer on the status topic; the consumer advances the request.
    const consumer = createPrivacyStatusConsumer({
      kafka: h.kafka!.kafka,
      dsr: restarted.dsr,
      groupId: 'consent-privacy-status',
      logger: h.logger,
    });
    await consumer.start();
    try {
      const report = (service: string): PrivacyStatusV1 => ({
        schemaVersion: 1,
        requestId: created.requestId,
        service,
        status: 'done',
        details: { residue: 0, profiles: 2 },
        at: new Date().toISOString(),
      });
      await h.producer!.publish('privacyStatus', [report('identity'), report('profile-store')]);
      const done = await waitFor(
        async () => {
          const s = await restarted.dsr.status(created.requestId);
          return s.status === 'completed' ? s : undefined;
        },
        { timeoutMs: 20_000, message: 'erasure did not complete' },
      );
      expect(done.result).toEqual({
        residue: { total: 0, byService: { consent: 0, identity: 0, 'profile-store': 0 }, unverified: [] },
      });
      expect(done.services?.map((s) => [s.service, s.status, s.residue])).toEqual([
        ['identity', 'done', 0],
        ['profile-store', 'done', 0],
      ]);
    } finally {
      await consumer.stop();
    }
    // Idempotent: running it again changes nothing.
    expect(await restarted.dsr.run(created.requestId)).toBe('completed');
    expect((await restarted.audit.verify()).ok).toBe(true);
  });
  it('rectification should publish the correction as a privacy-sourced identify and complete once the golden record shows it', async () => {
    const core = h.newCore(overrides);
    const created = await core.dsr.create({
      kind: 'rectification',
      jurisdiction: 'gdpr',
      subject: { identifiers: [{ type: 'email', value: 'ann@example.com' }] },
      corrections: { firstName: 'Ann' },
      actor: 'test',
    });
    expect(await core.dsr.run(created.requestId)).toBe('dispatched');
    const events = await collectMessages(h.kafka!.kafka, 'eventsResolved', {
      until: (ms) => ms.some((m) => m.value?.event.messageId === `dsr-rectification:${created.requestId}`),
    });
    const published = events.find(
      (m) => m.value?.event.messageId === `dsr-rectification:${created.requestId}`,
    )!.value!;
    expect(published).toMatchObject({
      profileId: P2,
      event: { type: 'identify', sourceId: 'privacy-rectification', traits: { firstName: 'Ann' } },
    });

    // profile-store applied it: the export now shows the corrected golden value.
    exports[P2] = {
      profile: { id: P2, mergedFrom: [], traits: { firstName: 'Ann' } },
      identities: [],
      traits: [],
      events: [],
      merges: [],
    };
    expect(await core.dsr.run(created.requestId)).toBe('completed');
    const { rows } = await h.pool.query('SELECT payload_sealed FROM privacy_requests WHERE request_id = $1', [
      created.requestId,
    ]);
    expect(rows).toEqual([{ payload_sealed: null }]);
  });
});
