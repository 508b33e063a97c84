import { generateWorld } from './generate-world';
import { platformMessageIds } from './platform-message-ids';

describe('platformMessageIds', () => {
  it('platformMessageIds should give one id per derived event, unique across the world', () => {
    const world = generateWorld({ seed: 4, persons: 60 });
    const ids = world.messages.flatMap((m) => platformMessageIds(m));
    expect(ids).toHaveLength(world.truth.reduce((n, t) => n + t.events, 0));
    expect(new Set(ids).size).toBe(ids.length);
    const pos = world.messages.find((m) => m.route === 'pos')!;
    const body = pos.body as { storeId: string; transactionId: string };
    expect(platformMessageIds(pos)).toEqual([`pos:${body.storeId}:${body.transactionId}`]);
  });
});
