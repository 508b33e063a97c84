import type { TruthRecord } from '../world/model';
import { waitUntilSettled } from './wait-until-settled';

const truth: TruthRecord[] = [
  {
    id: 'm1',
    seq: 0,
    route: 'web',
    personId: 'A',
    kind: 'identify',
    at: '2026-09-01T00:00:00.000Z',
    events: 1,
    identifiers: [
      { type: 'email', raw: 'a@x.com', value: 'a@x.com', owner: 'person' },
      { type: 'user_id', raw: 'u1', value: 'u1', owner: 'person' },
    ],
  },
];

describe('waitUntilSettled', () => {
  it('waitUntilSettled should return once answers stop changing for two polls', async () => {
    let poll = 0;
    // poll 1: nothing; poll 2: email only; poll 3: merged under P2; then stable
    const answers = [{}, { 'email:a@x.com': 'P1' }, { 'email:a@x.com': 'P2', 'user_id:u1': 'P2' }];
    const client = {
      lookup: async (type: string, value: string): Promise<string | undefined> =>
        (answers[Math.min(poll, answers.length - 1)] as Record<string, string>)[`${type}:${value}`],
    };
    const result = await waitUntilSettled(client, truth, {
      timeoutMs: 10_000,
      intervalMs: 0,
      onPoll: () => poll++,
    });
    expect(result.settled).toBe(true);
    expect(result.polls).toBe(5);
    expect([...result.clustering]).toEqual([
      ['email:a@x.com', 'P2'],
      ['user_id:u1', 'P2'],
    ]);
  });

  it('waitUntilSettled should give up at the deadline and say it did not settle', async () => {
    let n = 0;
    const client = { lookup: async (): Promise<string | undefined> => `P${n++}` };
    const result = await waitUntilSettled(client, truth, { timeoutMs: 0, intervalMs: 0 });
    expect(result).toMatchObject({ settled: false, polls: 1 });
  });
});
