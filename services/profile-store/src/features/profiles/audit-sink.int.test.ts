import { AppError, type AuditEventV1 } from '@tessera/contracts';
import type pg from 'pg';
import { migratedDatabase } from '../../test-support/database';
import { auditEvent, createOutboxAuditSink } from './audit-sink';

let pool: pg.Pool;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ pool, close } = await migratedDatabase());
});
afterAll(async () => close());

const read = (profileId: string) =>
  auditEvent({
    action: 'pii.read',
    actor: 'key-1',
    profileId,
    details: { endpoint: 'profile', fields: ['email'] },
  });

const auditRows = async (ids: string[]) =>
  (
    await pool.query<{ topic: string; key: string; payload: AuditEventV1 }>(
      `SELECT topic, key, payload FROM outbox WHERE payload->>'auditId' = ANY($1::text[]) ORDER BY id`,
      [ids],
    )
  ).rows;

describe('createOutboxAuditSink', () => {
  it('resolves only once the event is committed in the outbox, and one turn shares one INSERT', async () => {
    const statements: string[] = [];
    const counting = {
      query: ((text: string, values?: unknown[]) => {
        statements.push(text);
        return pool.query(text, values);
      }) as pg.Pool['query'],
    };
    const sink = createOutboxAuditSink(counting);
    const events = [
      read('0190a1b2-0000-7000-8000-000000000001'),
      read('0190a1b2-0000-7000-8000-000000000002'),
    ];
    await Promise.all(events.map((e) => sink.record(e)));

    expect(statements).toHaveLength(1);
    // Read on another connection: what the sink resolved for is committed, not just written.
    const rows = await auditRows(events.map((e) => e.auditId));
    expect(rows.map((r) => r.topic)).toEqual(['audit', 'audit']);
    expect(rows.map((r) => r.payload)).toEqual(events);
  });

  it('fails every read of the turn when the commit fails, so nothing personal is answered unaudited', async () => {
    const sink = createOutboxAuditSink({
      query: (() => Promise.reject(new Error('connection terminated'))) as unknown as pg.Pool['query'],
    });
    const results = await Promise.allSettled([
      sink.record(read('0190a1b2-0000-7000-8000-000000000003')),
      sink.record(read('0190a1b2-0000-7000-8000-000000000004')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('refuses an event the audit topic would not accept, failing only its own read', async () => {
    const sink = createOutboxAuditSink(pool);
    const bad = { ...read('0190a1b2-0000-7000-8000-000000000005'), actor: '' };
    const good = read('0190a1b2-0000-7000-8000-000000000006');
    const [badResult, goodResult] = await Promise.allSettled([sink.record(bad), sink.record(good)]);
    expect(badResult.status).toBe('rejected');
    expect((badResult as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    expect((badResult as PromiseRejectedResult).reason).toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    expect(goodResult.status).toBe('fulfilled');
    expect(await auditRows([bad.auditId])).toHaveLength(0);
    expect(await auditRows([good.auditId])).toHaveLength(1);
  });
});
