import type { WorldMessage } from '../world/model';
import { planUnits } from './send-units';

const m = (id: string, route: WorldMessage['route'], kind = 'track'): WorldMessage => ({
  id,
  seq: 0,
  route,
  kind,
  at: '2026-09-01T00:00:00.000Z',
  body: { messageId: id, type: kind },
});

describe('planUnits', () => {
  it('planUnits should batch Segment calls per source and send connector payloads on their own', () => {
    const units = planUnits(
      [
        m('w1', 'web'),
        m('a1', 'app', 'screen'),
        m('p1', 'pos', 'transaction'),
        m('w2', 'web'),
        m('w3', 'web'),
        m('a2', 'app', 'screen'),
      ],
      2,
    );
    expect(units.map((u) => [u.path, u.messages.map((x) => x.id)])).toEqual([
      ['/v1/connectors/pos', ['p1']],
      ['/v1/batch', ['w1', 'w2']],
      ['/v1/batch', ['a1', 'a2']],
      ['/v1/track', ['w3']],
    ]);
    expect(units[1]!.body).toEqual({
      batch: [
        { messageId: 'w1', type: 'track' },
        { messageId: 'w2', type: 'track' },
      ],
    });
  });

  it('planUnits should send every Segment call to its own endpoint when batching is off', () => {
    expect(planUnits([m('w1', 'web', 'identify'), m('a1', 'app', 'screen')], 1).map((u) => u.path)).toEqual([
      '/v1/identify',
      '/v1/screen',
    ]);
  });
});
