import { uuidv7, type ResolvedEventV1 } from '@tessera/contracts';
import { createIdentifierHasher, LocalKeyring } from '@tessera/crypto';

/** Secrets for tests only (fixed so hashes are reproducible). */
export const TEST_HASH_KEY = 'dGVzdC1pZGVudGlmaWVyLWhhc2gta2V5LTMyLWJ5dGVzLWxvbmchIQ';
export const TEST_KEYRING = `k1:${LocalKeyring.generateKey()}`;
export const testSettings = {
  IDENTIFIER_HASH_KEY: TEST_HASH_KEY,
  PII_KEYRING: TEST_KEYRING,
  REPORTING_CURRENCY: 'USD',
};
export const testHasher = createIdentifierHasher(TEST_HASH_KEY);

export interface EventSpec {
  profileId: string;
  identifiers?: Array<{ type: string; value: string }>;
  type?: ResolvedEventV1['event']['type'];
  event?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  at?: string;
  sourceId?: string;
  channel?: ResolvedEventV1['event']['channel'];
  messageId?: string;
}

/** A valid resolved event with hashes computed like identity does. */
export function resolvedEvent(spec: EventSpec): ResolvedEventV1 {
  const identifiers = spec.identifiers ?? [{ type: 'anonymous_id', value: `anon-${spec.profileId}` }];
  const at = spec.at ?? new Date().toISOString();
  return {
    schemaVersion: 1,
    profileId: spec.profileId,
    event: {
      schemaVersion: 1,
      eventId: uuidv7(),
      messageId: spec.messageId ?? uuidv7(),
      sourceId: spec.sourceId ?? 'web-source',
      channel: spec.channel ?? 'web',
      type: spec.type ?? (spec.event ? 'track' : 'identify'),
      ...(spec.event ? { event: spec.event } : {}),
      identifiers,
      traits: spec.traits ?? {},
      properties: spec.properties ?? {},
      context: { ip: '203.0.113.9' },
      timestamp: at,
      receivedAt: at,
      consentSignals: [],
    },
    identifierHashes: identifiers.map((i) => ({ type: i.type, hash: testHasher(i.type, i.value) })),
    newProfile: false,
    decisions: [],
    resolvedAt: at,
  };
}

export const order = (profileId: string, revenue: number, at: string, extra: Partial<EventSpec> = {}) =>
  resolvedEvent({
    profileId,
    event: 'Order Completed',
    properties: { revenue, currency: 'USD' },
    at,
    ...extra,
  });
