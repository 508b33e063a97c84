import { Presets, SingleBar } from 'cli-progress';
import type { SendStats } from './send-world';

/** A terminal progress bar for a send: messages sent of total, accepted, rejected and the rate. */
export function createSendProgress(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): { update(stats: SendStats): void; stop(): void } {
  const bar = new SingleBar(
    {
      format:
        'sending [{bar}] {value}/{total} | accepted {accepted} | rejected {rejected} | {rate} msg/s | retries {retries}',
      stream,
      // redraws at most 10 times a second, so a fast run is not slowed by the terminal
      fps: 10,
      noTTYOutput: !stream.isTTY,
      notTTYSchedule: 5000,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { accepted: 0, rejected: 0, rate: '0', retries: 0 });
  return {
    update(stats) {
      bar.update(stats.sent, {
        accepted: stats.accepted,
        rejected: stats.rejected,
        rate: stats.rate.toFixed(0),
        retries: stats.retries,
      });
    },
    stop() {
      bar.stop();
    },
  };
}
