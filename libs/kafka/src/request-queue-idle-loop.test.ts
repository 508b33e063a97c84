import { createRequire } from 'node:module';
import {
  PATCHED_KAFKAJS_VERSION,
  patchRequestQueueIdleLoop,
  type RequestQueueInternals,
} from './request-queue-idle-loop';

const load = createRequire(require.resolve('kafkajs'));
type Queue = RequestQueueInternals & {
  push(request: {
    entry: { correlationId: number; resolve: () => void; reject: () => void };
    expectResponse: boolean;
    sendRequest: () => void;
  }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
};
const RequestQueue = load('./src/network/requestQueue') as new (opts: object) => Queue;
const silent = { debug: () => {}, warn: () => {}, info: () => {}, error: () => {} };
const queue = (maxInFlightRequests: number | null = null) =>
  new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    clientId: 't',
    broker: 'b',
    logger: silent,
  });
const request = (correlationId: number, sent: number[]) => ({
  entry: { correlationId, resolve: () => {}, reject: () => {} },
  expectResponse: true,
  sendRequest: () => sent.push(correlationId),
});

describe('KafkaJS request-queue idle loop patch', () => {
  beforeAll(() => {
    patchRequestQueueIdleLoop();
  });
  afterEach(() => jest.useRealTimers());

  it('applies to the installed KafkaJS release (an upgrade must re-check tulios/kafkajs#1556)', () => {
    expect((load('./package.json') as { version: string }).version).toBe(PATCHED_KAFKAJS_VERSION);
    expect(patchRequestQueueIdleLoop()).toBe('patched');
  });

  it('arms no timer when no request waits, so an idle connection does not wake every millisecond', () => {
    jest.useFakeTimers();
    const q = queue();
    const checks = jest.spyOn(q, 'checkPendingRequests');
    const sent: number[] = [];
    q.push(request(1, sent));
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    jest.advanceTimersByTime(1_000);
    expect(sent).toEqual([1]);
    // Unpatched: fulfilling re-arms a 1 ms timer that re-arms itself (~1,000 checks here).
    expect(checks).toHaveBeenCalledTimes(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still sends requests queued behind a broker throttle once it ends', () => {
    jest.useFakeTimers();
    const q = queue();
    const sent: number[] = [];
    q.maybeThrottle(50);
    q.push(request(1, sent));
    q.push(request(2, sent));
    jest.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(20);
    expect(sent).toEqual([1, 2]);
    q.destroy();
  });

  it('still sends requests queued behind the in-flight limit when one completes', () => {
    jest.useFakeTimers();
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    jest.advanceTimersByTime(100);
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    q.destroy();
  });
});
