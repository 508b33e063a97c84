import { createFakeIngest } from '../test-support/fake-ingest';
import { generateWorld } from '../world/generate-world';
import { sendWorld } from './send-world';

describe('sendWorld over real HTTP', () => {
  it('sendWorld should deliver a world over keep-alive connections within the concurrency bound', async () => {
    const world = generateWorld({ seed: 11, persons: 15 });
    const fake = createFakeIngest({ writeKey: 'wk', latencyMs: 2 });
    const connections = new Set<unknown>();
    fake.app.server.on('connection', (socket) => connections.add(socket));
    const address = await fake.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const result = await sendWorld({
        messages: world.messages,
        ingestUrl: address,
        writeKeys: { default: 'wk' },
        concurrency: 4,
        batchSize: 10,
      });
      expect(result).toMatchObject({
        sent: world.messages.length,
        accepted: world.messages.length,
        rejected: 0,
      });
      expect(new Set(fake.accepted)).toEqual(new Set(world.messages.map((m) => m.id)));
      expect(fake.maxInFlight).toBeLessThanOrEqual(4);
      // keep-alive: connections are reused, a small pool serves many requests
      expect(result.requests).toBeGreaterThan(40);
      expect(connections.size).toBeLessThanOrEqual(Math.ceil(result.requests / 4));
    } finally {
      await fake.app.close();
    }
  });
});
