/**
 * Paces requests to a target rate (units per second) by virtual scheduling: each acquisition
 * books the next slot after the previous one, so the long-run rate is exact whatever the request
 * sizes are, and a `burst` of units may go out back to back after an idle period.
 */
export class TokenBucket {
  // a fresh bucket is full: the first `burst` units go out at once
  private nextFreeAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number = Math.max(1, ratePerSecond / 20),
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (!(ratePerSecond > 0)) throw new Error('rate must be positive');
  }

  /** Waits until `units` may be sent. */
  async acquire(units: number): Promise<void> {
    const now = this.now();
    const burstWindow = (this.burst / this.ratePerSecond) * 1000;
    const start = Math.max(this.nextFreeAt, now - burstWindow);
    this.nextFreeAt = start + (units / this.ratePerSecond) * 1000;
    const wait = start - now;
    if (wait > 0) await this.sleep(wait);
  }
}
