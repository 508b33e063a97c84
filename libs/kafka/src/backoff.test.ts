import { backoffDelay, sleep } from './backoff';

describe('backoffDelay', () => {
  const bounds = { initialMs: 100, maxMs: 10_000 };

  it('backoffDelay should double per attempt from the initial delay', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, bounds, () => 0))).toEqual([100, 200, 400, 800]);
  });

  it('backoffDelay should never exceed the cap, even for huge attempt numbers', () => {
    expect(backoffDelay(7, bounds, () => 0)).toBe(10_000);
    expect(backoffDelay(10_000, bounds, () => 0)).toBe(10_000);
  });

  it('backoffDelay should jitter downwards by at most 20%', () => {
    expect(backoffDelay(0, bounds, () => 1)).toBe(80);
    expect(backoffDelay(3, bounds, () => 0.5)).toBe(720);
  });
});

describe('sleep', () => {
  it('sleep should resolve at once when its signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
