import type { ResolvedEventV1 } from '@tessera/contracts';
import { uuidv7 } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import type { TypedProducer } from '@tessera/kafka';
import type { DsrPlan, DsrRequest } from './dsr-store';
import type { RawIdentifier } from './dsr-service';
import type { ProfileExport } from './upstream-client';

/** The source id corrections carry, so profile-store's timeline and provenance show where they came from. */
export const RECTIFICATION_SOURCE = 'privacy-rectification';

/**
 * Rectification is an identify from the privacy source: a resolved event for the subject's profile
 * carrying the corrected traits, attributed to an identifier the subject gave. profile-store applies
 * it like any identify (an observation with provenance; the most recent value wins survivorship) and
 * dedupes redeliveries by (sourceId, messageId).
 */
export async function publishRectification(input: {
  request: DsrRequest;
  plan: DsrPlan;
  corrections: Record<string, unknown>;
  identifiers: RawIdentifier[];
  deps: { producer: Pick<TypedProducer, 'publish'>; hasher: IdentifierHasher };
  now: Date;
}): Promise<void> {
  const { request, now } = input;
  const identifiers = input.identifiers.map((i) => ({ type: i.type, value: i.value.trim() }));
  const event: ResolvedEventV1 = {
    schemaVersion: 1,
    profileId: input.plan.profileIds[0]!,
    newProfile: false,
    decisions: [],
    identifierHashes: identifiers.map((i) => ({
      type: i.type,
      hash: input.deps.hasher(i.type, i.type === 'email' ? i.value.toLowerCase() : i.value),
    })),
    resolvedAt: now.toISOString(),
    event: {
      schemaVersion: 1,
      eventId: uuidv7(now.getTime()),
      messageId: `dsr-rectification:${request.requestId}`,
      sourceId: RECTIFICATION_SOURCE,
      channel: 'crm',
      type: 'identify',
      identifiers,
      traits: input.corrections,
      properties: {},
      context: { privacyRequestId: request.requestId },
      timestamp: now.toISOString(),
      receivedAt: now.toISOString(),
      consentSignals: [],
    },
  };
  await input.deps.producer.publish('eventsResolved', [event]);
}

/** Whether the golden record now shows every corrected value. */
export function rectificationApplied(exported: ProfileExport, corrections: Record<string, unknown>): boolean {
  const traits = (exported.profile as { traits?: Record<string, unknown> }).traits ?? {};
  return Object.entries(corrections).every(([k, v]) => JSON.stringify(traits[k]) === JSON.stringify(v));
}
