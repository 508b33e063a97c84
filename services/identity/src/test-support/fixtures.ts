import { randomUUID } from 'node:crypto';
import type { CanonicalEventV1, Identifier } from '@tessera/contracts';
import { uuidv7 } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import { createIdentifierHasher } from '@tessera/crypto';
import type { ResolutionJournal, ResolutionRecord } from '../features/resolution/resolution-journal';

/** A fixed test key: hashes are stable across a test run and never meet production data. */
/** A tag unique to one test, so tests share a graph without meeting. */
export const uniqueTag = (): string => randomUUID().slice(0, 8);

export const TEST_HASH_KEY = 'identity-test-hash-key-0123456789abcdef';
export const testHasher: IdentifierHasher = createIdentifierHasher(TEST_HASH_KEY);

export function testEvent(
  identifiers: Array<[string, string]> | Identifier[],
  overrides: Partial<CanonicalEventV1> = {},
): CanonicalEventV1 {
  const ids: Identifier[] = identifiers.map((i) => (Array.isArray(i) ? { type: i[0], value: i[1] } : i));
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    eventId: uuidv7(),
    messageId: `m-${Math.random().toString(36).slice(2)}`,
    sourceId: 'test-source',
    channel: 'web',
    type: 'track',
    event: 'Test Event',
    identifiers: ids,
    traits: {},
    properties: {},
    context: {},
    timestamp: now,
    receivedAt: now,
    consentSignals: [],
    ...overrides,
  };
}

/** Collects what the resolver would persist; for tests that exercise the graph only. */
export class MemoryJournal implements ResolutionJournal {
  readonly records: ResolutionRecord[] = [];
  async record(batch: ResolutionRecord): Promise<void> {
    this.records.push(batch);
  }
}
