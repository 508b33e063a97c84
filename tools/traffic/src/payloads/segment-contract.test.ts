import { SegmentBatchSchema, SegmentEndpointSchemas, SegmentMessageSchema } from '@tessera/contracts';
import { planUnits } from '../sender/send-units';
import { generateWorld } from '../world/generate-world';

const world = generateWorld({ seed: 5, persons: 120 });
const segment = world.messages.filter((m) => m.route === 'web' || m.route === 'app');

describe('Segment payloads', () => {
  it('every generated Segment call should parse with the contract of its endpoint and as a batch item', () => {
    expect(segment.length).toBeGreaterThan(1000);
    const failures = segment.flatMap((m): Array<{ id: string; issue: unknown }> => {
      const endpoint = SegmentEndpointSchemas[m.kind as keyof typeof SegmentEndpointSchemas];
      if (!endpoint) return [{ id: m.id, issue: `no endpoint for ${m.kind}` }];
      const results = [endpoint.safeParse(m.body), SegmentMessageSchema.safeParse(m.body)];
      return results.filter((r) => !r.success).map((r) => ({ id: m.id, issue: r.error?.issues }));
    });
    expect(failures).toEqual([]);
    expect(new Set(segment.map((m) => m.kind))).toEqual(
      new Set(['identify', 'track', 'page', 'screen', 'group', 'alias']),
    );
  });

  it('every /v1/batch request the sender builds should parse with the batch contract', () => {
    const batches = planUnits(segment, 50).filter((u) => u.path === '/v1/batch');
    expect(batches.length).toBeGreaterThan(10);
    const failures = batches.map((u) => SegmentBatchSchema.safeParse(u.body)).filter((r) => !r.success);
    expect(failures).toEqual([]);
  });
});
