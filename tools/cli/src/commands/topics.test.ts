import { compareTopics, parseTopicIds, planTopics } from './topics';

describe('topics planning', () => {
  it('parseTopicIds should return the whole catalogue when no ids are given', () => {
    expect(parseTopicIds(undefined)).toHaveLength(12);
    expect(parseTopicIds('audit, deadLetter')).toEqual(['audit', 'deadLetter']);
  });

  it('planTopics should apply the prefix and cap partitions without raising any', () => {
    const [keys, events] = planTopics(['accessKeys', 'eventsIngested'], 'ci.', 3);
    expect(keys).toMatchObject({ name: 'ci.tessera.access.keys.v1', partitions: 1 });
    expect(events).toMatchObject({ name: 'ci.tessera.events.ingested.v1', partitions: 3 });
    expect(events!.config).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(7 * 86_400_000) });
  });

  it('compareTopics should report missing, fewer partitions and differing config', () => {
    const planned = planTopics(['intake', 'eventsIngested', 'audit', 'deadLetter'], '');
    const rows = compareTopics(planned, [
      { name: 'tessera.events.ingested.v1', partitions: 6, config: { 'cleanup.policy': 'delete' } },
      { name: 'tessera.audit.v1', partitions: 3, config: { 'cleanup.policy': 'compact' } },
      {
        name: 'tessera.deadletter.v1',
        partitions: 5,
        config: { 'cleanup.policy': 'delete', 'retention.ms': '1209600000' },
      },
    ]);
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['intake', 'missing'],
      ['eventsIngested', 'fewer-partitions'],
      ['audit', 'config-differs'],
      ['deadLetter', 'ok'],
    ]);
  });
});
