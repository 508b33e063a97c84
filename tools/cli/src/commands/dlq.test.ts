import type { DeadLetterV1 } from '@tessera/contracts';
import {
  filterDeadLetters,
  formatDeadLetters,
  parseEntryList,
  parseSince,
  REPLAYED_FROM_HEADER,
  replayMessage,
  resolveTopicName,
  type DeadLetterEntry,
} from './dlq';

const letter = (overrides: Partial<DeadLetterV1> = {}): DeadLetterV1 => ({
  schemaVersion: 1,
  originalTopic: 'tessera.events.ingested.v1',
  partition: 4,
  offset: '17',
  consumerGroup: 'identity',
  key: 'anon-1',
  value: '{"bad":true}',
  valueEncoding: 'utf8',
  headers: { 'x-source': 'web' },
  error: { code: 'EVENT_SCHEMA_INVALID', message: 'identifiers: required' },
  attempts: 1,
  failedAt: '2026-03-01T10:00:00.000Z',
  ...overrides,
});
const entry = (
  partition: number,
  offset: string,
  overrides: Partial<DeadLetterV1> = {},
): DeadLetterEntry => ({
  partition,
  offset,
  record: letter(overrides),
});

describe('dlq selection', () => {
  const entries = [
    entry(0, '1'),
    entry(1, '1', { originalTopic: 'tessera.events.resolved.v1', consumerGroup: 'profile-store' }),
    entry(0, '2', { failedAt: '2026-03-02T10:00:00.000Z' }),
    entry(2, '9', { failedAt: '2026-03-03T10:00:00.000Z' }),
  ];

  it('filterDeadLetters should filter by original topic, group and time', () => {
    expect(filterDeadLetters(entries, { originalTopic: 'tessera.events.resolved.v1' })).toEqual([entries[1]]);
    expect(
      filterDeadLetters(entries, { consumerGroup: 'identity', since: new Date('2026-03-02T00:00:00Z') }),
    ).toEqual([entries[2], entries[3]]);
  });

  it('filterDeadLetters should keep the most recent matches under a limit and select exact entries', () => {
    expect(filterDeadLetters(entries, { limit: 2 })).toEqual([entries[2], entries[3]]);
    expect(filterDeadLetters(entries, { entries: parseEntryList('2:9, 0:1') })).toEqual([
      entries[0],
      entries[3],
    ]);
  });

  it('parsers should reject malformed positions and times', () => {
    expect(() => parseEntryList('0-1')).toThrow(/partition:offset/);
    expect(() => parseSince('yesterday')).toThrow(/ISO date-time/);
    expect(parseSince('2026-03-01T00:00:00Z').toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('resolveTopicName should map catalogue ids under the prefix and keep physical names', () => {
    expect(resolveTopicName('eventsIngested', 'ci.')).toBe('ci.tessera.events.ingested.v1');
    expect(resolveTopicName('ci.tessera.intake.v1', 'ci.')).toBe('ci.tessera.intake.v1');
  });
});

describe('dlq replay', () => {
  it('replayMessage should re-publish the original key, value and headers to the original topic', () => {
    const replay = replayMessage(entry(0, '5'), 'tessera.deadletter.v1');
    expect(replay).toEqual({
      topic: 'tessera.events.ingested.v1',
      message: {
        key: 'anon-1',
        value: '{"bad":true}',
        headers: { 'x-source': 'web', [REPLAYED_FROM_HEADER]: 'tessera.deadletter.v1/0/5' },
      },
    });
  });

  it('replayMessage should restore binary values from base64 and keep tombstones null', () => {
    const bytes = Buffer.from([0, 159, 146, 150]);
    const binary = replayMessage(
      entry(0, '6', { value: bytes.toString('base64'), valueEncoding: 'base64' }),
      'dlq',
    );
    expect(Buffer.isBuffer(binary.message.value) && binary.message.value.equals(bytes)).toBe(true);
    expect(replayMessage(entry(0, '7', { value: null }), 'dlq').message.value).toBeNull();
  });

  it('formatDeadLetters should show position, origin and a one-line reason', () => {
    const text = formatDeadLetters([
      entry(0, '1', { error: { code: 'X', message: 'line one\n  line two' } }),
    ]);
    expect(text.split('\n')[1]).toMatch(
      /^0:1\s+2026-03-01T10:00:00.000Z\s+tessera.events.ingested.v1\/4\/17\s+identity\s+1\s+X: line one line two$/,
    );
  });
});
