import { AppError, Topics, issuesFromZod, uuidv7, type AuditEventV1 } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import { insertOutboxRows } from '@tessera/outbox';

/** Where accountable accesses go. The consent service owns the audit log; we only report to it. */
export interface AuditSink {
  record(event: AuditEventV1): Promise<void>;
}

interface Pending {
  event: AuditEventV1;
  resolve(): void;
  reject(reason: unknown): void;
}

/**
 * Writes audit events to this service's transactional outbox; the outbox relay publishes them to
 * Topics.audit (at least once; the consent service's audit log is idempotent by auditId). A read
 * is answered once its event is committed in Postgres, which is as durable as a Kafka ack and
 * nearer: an acks=all publish per read put the broker's round trip, and its stalls, into every
 * audited answer. Events recorded in the same event-loop turn share one INSERT (one commit); each
 * is checked against the topic's schema on its own first, so an invalid one fails only its read.
 */
export function createOutboxAuditSink(db: Queryable): AuditSink {
  let pending: Pending[] = [];

  async function flush(): Promise<void> {
    const turn = pending;
    pending = [];
    try {
      await insertOutboxRows(
        db,
        turn.map((p) => ({ topic: 'audit' as const, key: Topics.audit.key(p.event), payload: p.event })),
      );
      for (const p of turn) p.resolve();
    } catch (err) {
      for (const p of turn) p.reject(err);
    }
  }

  return {
    record(event) {
      const parsed = Topics.audit.schema.safeParse(event);
      if (!parsed.success)
        return Promise.reject(
          new AppError('EVENT_SCHEMA_INVALID', 'refusing to record an invalid audit event', {
            statusCode: 500,
            details: issuesFromZod(parsed.error),
          }),
        );
      return new Promise<void>((resolve, reject) => {
        if (pending.length === 0) setImmediate(() => void flush());
        pending.push({ event: parsed.data, resolve, reject });
      });
    },
  };
}

export function auditEvent(
  input: Pick<AuditEventV1, 'action' | 'actor' | 'details'> & { profileId: string; purpose?: string },
): AuditEventV1 {
  return {
    schemaVersion: 1,
    auditId: uuidv7(),
    service: 'profile-store',
    action: input.action,
    actor: input.actor,
    ...(input.purpose !== undefined ? { purpose: input.purpose } : {}),
    subject: { profileId: input.profileId },
    details: input.details,
    at: new Date().toISOString(),
  };
}
