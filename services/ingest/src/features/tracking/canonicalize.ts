import {
  uuidv7,
  type CanonicalEventV1,
  type ConsentSignal,
  type ErrorIssue,
  type JsonObject,
  type SegmentMessage,
} from '@tessera/contracts';
import { extractIdentifiers } from '@tessera/identifiers';
import type { SourceProfile } from '../sources/source-resolver';
import { correctTimestamp } from './clock-skew';

export interface RequestFacts {
  receivedAt: Date;
  /** `Sec-GPC: 1` on the request. */
  gpcHeader: boolean;
  /** Batch-level fields that apply to every message unless it sets its own. */
  batchSentAt?: string | undefined;
  batchContext?: JsonObject | undefined;
  batchIntegrations?: JsonObject | undefined;
}

export type CanonicalizeResult =
  { ok: true; event: CanonicalEventV1; warnings: ErrorIssue[] } | { ok: false; issues: ErrorIssue[] };

const KNOWN_FIELDS = new Set([
  'type',
  'messageId',
  'userId',
  'anonymousId',
  'previousId',
  'groupId',
  'event',
  'name',
  'category',
  'traits',
  'properties',
  'context',
  'integrations',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'writeKey',
  'receivedAt',
  'channel',
  'version',
  'projectId',
]);

/**
 * Turns one schema-valid Segment message into the canonical event: identifiers extracted and
 * normalized with the source's region, clock skew corrected, GPC carried as a consent signal.
 * Issues (paths relative to the message) reject the message; warnings (an invalid email on an
 * otherwise attributable event) leave that value out of `identifiers` but keep it in the traits.
 */
export function canonicalize(
  message: SegmentMessage,
  source: SourceProfile,
  facts: RequestFacts,
): CanonicalizeResult {
  const issues: ErrorIssue[] = [];
  if (source.allowedEventTypes && !source.allowedEventTypes.has(message.type)) {
    issues.push({ path: 'type', message: `source ${source.id} does not accept ${message.type} calls` });
  }
  const context: JsonObject = { ...(facts.batchContext ?? {}), ...(message.context ?? {}) };
  const { identifiers, issues: warnings } = extractIdentifiers(
    { ...message, context },
    { defaultRegion: source.defaultRegion },
  );
  if (identifiers.length === 0) {
    issues.push({
      path: warnings.length > 0 ? warnings[0]!.path : 'userId',
      message:
        'the event has no valid identifier: send userId, anonymousId, an email/phone trait or context.externalIds',
    });
  }
  if (identifiers.length > 50)
    issues.push({ path: 'context.externalIds', message: 'an event may carry at most 50 identifiers' });
  if (issues.length > 0)
    return { ok: false, issues: [...issues, ...(identifiers.length === 0 ? warnings : [])] };

  const gpc = facts.gpcHeader || context.gpc === true;
  const consentSignals: ConsentSignal[] = gpc
    ? [{ purpose: 'sale_sharing', status: 'denied', reason: 'gpc' }]
    : [];
  const sentAt = message.sentAt ?? facts.batchSentAt;
  const properties: JsonObject = {
    ...('properties' in message && message.properties ? message.properties : {}),
  };
  if (message.type === 'page' && message.category !== undefined && properties.category === undefined) {
    properties.category = message.category;
  }
  // Fields outside the spec are kept (under context.extra) rather than dropped.
  const extra = Object.fromEntries(Object.entries(message).filter(([k]) => !KNOWN_FIELDS.has(k)));
  if (Object.keys(extra).length > 0) context.extra = extra;
  delete context.writeKey;

  const event: CanonicalEventV1 = {
    schemaVersion: 1,
    eventId: uuidv7(facts.receivedAt.getTime()),
    // Segment SDKs always send one; for hand-written calls a fresh UUIDv7 makes the event unique
    // (it then cannot be deduplicated on retry: documented in docs/ingest.md).
    messageId: message.messageId ?? uuidv7(facts.receivedAt.getTime()),
    sourceId: source.id,
    channel: source.channel,
    type: message.type,
    identifiers,
    traits: message.type === 'identify' || message.type === 'group' ? (message.traits ?? {}) : {},
    properties,
    context,
    timestamp: correctTimestamp(
      { timestamp: message.timestamp, originalTimestamp: message.originalTimestamp, sentAt },
      facts.receivedAt,
    ).toISOString(),
    receivedAt: facts.receivedAt.toISOString(),
    consentSignals,
  };
  if (message.type === 'track') event.event = message.event;
  if ((message.type === 'page' || message.type === 'screen') && message.name !== undefined)
    event.name = message.name;
  if (message.userId !== undefined) event.userId = message.userId;
  if (message.anonymousId !== undefined) event.anonymousId = message.anonymousId;
  if (message.type === 'alias') event.previousId = message.previousId;
  if (message.type === 'group') event.groupId = message.groupId;
  const integrations = message.integrations ?? facts.batchIntegrations;
  if (integrations !== undefined) event.integrations = integrations;
  if (sentAt !== undefined) event.sentAt = new Date(sentAt).toISOString();
  if (message.originalTimestamp !== undefined)
    event.originalTimestamp = new Date(message.originalTimestamp).toISOString();
  if (gpc) event.gpc = true;
  return { ok: true, event, warnings };
}
