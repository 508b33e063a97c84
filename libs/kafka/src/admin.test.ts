import { Topics } from '@tessera/contracts';
import { plannedTopics } from './admin';

describe('plannedTopics', () => {
  it('plannedTopics should name catalogue topics with the prefix and keep their config', () => {
    const [audit] = plannedTopics(['audit'], [], 'x.');
    expect(audit).toEqual({
      name: 'x.tessera.audit.v1',
      partitions: Topics.audit.partitions,
      config: { ...Topics.audit.config },
    });
  });

  it('plannedTopics should cap partitions but never raise them', () => {
    const planned = plannedTopics(['eventsIngested', 'accessKeys'], [], '', 3);
    expect(planned.map((t) => t.partitions)).toEqual([3, 1]);
  });

  it('plannedTopics should include extra topics as given and drop duplicates', () => {
    const planned = plannedTopics(['audit', 'audit'], [{ name: 'x.custom', partitions: 8 }], 'x.', 3);
    expect(planned).toEqual([
      expect.objectContaining({ name: 'x.tessera.audit.v1' }),
      { name: 'x.custom', partitions: 8, config: {} },
    ]);
  });
});
