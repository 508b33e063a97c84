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

// Every event of a request shares its receivedAt: format it once per request, not per event.
let isoOf: { date: Date; iso: string } | undefined;
function receivedIso(date: Date): string {
  if (isoOf?.date !== date) isoOf = { date, iso: date.toISOString() };
  return isoOf.iso;
}

// What CanonicalEventV1's ISO timestamps can hold (4-digit years). Segment's schema accepts any
// 4-digit year with an offset, so a UTC conversion or the clock-skew correction can leave it.
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');
const isoIn = (ms: number): string | undefined =>
  ms >= MIN_MS && ms <= MAX_MS ? new Date(ms).toISOString() : undefined;
const OUT_OF_RANGE = 'puts the event outside the years 0000-9999 (check the client clock)';

/** Fields outside the spec, kept under context.extra rather than dropped; undefined when none. */
function extraFields(message: SegmentMessage): JsonObject | undefined {
  let extra: JsonObject | undefined;
  for (const k in message) {
    if (KNOWN_FIELDS.has(k) || !Object.hasOwn(message, k)) continue;
    extra ??= {};
    extra[k] = (message as Record<string, unknown>)[k];
  }
  return extra;
}

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
  const context: JsonObject = { ...facts.batchContext, ...message.context };
  const { identifiers, issues: warnings } = extractIdentifiers(
    {
      type: message.type,
      userId: message.userId,
      anonymousId: message.anonymousId,
      previousId: message.type === 'alias' ? message.previousId : undefined,
      traits: message.type === 'identify' ? message.traits : undefined,
      context,
    },
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
  const sentAt = message.sentAt ?? facts.batchSentAt;
  const receivedAt = receivedIso(facts.receivedAt);
  const happened = correctTimestamp(
    { timestamp: message.timestamp, originalTimestamp: message.originalTimestamp, sentAt },
    facts.receivedAt,
  );
  const timestamp = happened === facts.receivedAt ? receivedAt : isoIn(happened.getTime());
  if (timestamp === undefined)
    issues.push({ path: 'timestamp', message: `the clock-skew corrected time ${OUT_OF_RANGE}` });
  const sentAtIso = sentAt === undefined ? undefined : isoIn(Date.parse(sentAt));
  if (sentAt !== undefined && sentAtIso === undefined)
    issues.push({ path: 'sentAt', message: `sentAt ${OUT_OF_RANGE}` });
  const originalIso =
    message.originalTimestamp === undefined ? undefined : isoIn(Date.parse(message.originalTimestamp));
  if (message.originalTimestamp !== undefined && originalIso === undefined)
    issues.push({ path: 'originalTimestamp', message: `originalTimestamp ${OUT_OF_RANGE}` });
  if (issues.length > 0 || timestamp === undefined)
    return { ok: false, issues: [...issues, ...(identifiers.length === 0 ? warnings : [])] };

  const gpc = facts.gpcHeader || context.gpc === true;
  const consentSignals: ConsentSignal[] = gpc
    ? [{ purpose: 'sale_sharing', status: 'denied', reason: 'gpc' }]
    : [];
  const properties: JsonObject = {
    ...('properties' in message && message.properties ? message.properties : {}),
  };
  if (message.type === 'page' && message.category !== undefined && properties.category === undefined) {
    properties.category = message.category;
  }
  const extra = extraFields(message);
  if (extra) context.extra = extra;
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
    timestamp,
    receivedAt,
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
  if (sentAtIso !== undefined) event.sentAt = sentAtIso;
  if (originalIso !== undefined) event.originalTimestamp = originalIso;
  if (gpc) event.gpc = true;
  return { ok: true, event, warnings };
}
