import { uuidv7, type AuditEventV1 } from '@tessera/contracts';

/** Where accountable accesses go. The consent service owns the audit log; we only report to it. */
export interface AuditSink {
  record(event: AuditEventV1): Promise<void>;
}

/** Publishes to Topics.audit through anything with the producer's `publish`. */
export function createKafkaAuditSink(producer: {
  publish(topic: 'audit', messages: AuditEventV1[]): Promise<void>;
}): AuditSink {
  return { record: (event) => producer.publish('audit', [event]) };
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
