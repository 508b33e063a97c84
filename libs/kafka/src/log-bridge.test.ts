import { logLevel } from 'kafkajs';
import { createLogger } from '@tessera/observability';
import { Writable } from 'node:stream';
import { createLogBridge, kafkaLevelFor, pinoMethodFor, pinoMethodForEntry } from './log-bridge';

function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ name: 't', level, destination }), lines };
}

describe('log bridge', () => {
  it('pinoMethodFor should never log KafkaJS lines as errors and demote its info to debug', () => {
    expect(pinoMethodFor(logLevel.ERROR)).toBe('warn');
    expect(pinoMethodFor(logLevel.WARN)).toBe('warn');
    expect(pinoMethodFor(logLevel.INFO)).toBe('debug');
    expect(pinoMethodFor(logLevel.DEBUG)).toBe('trace');
  });

  it('pinoMethodForEntry should demote the warning about bounded idempotent retries', () => {
    const msg = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
    expect(pinoMethodForEntry(logLevel.WARN, msg)).toBe('debug');
    expect(pinoMethodForEntry(logLevel.WARN, 'Connection timeout')).toBe('warn');
  });

  it('kafkaLevelFor should only enable KafkaJS levels the logger would print', () => {
    expect(kafkaLevelFor(capture('info').logger)).toBe(logLevel.WARN);
    expect(kafkaLevelFor(capture('debug').logger)).toBe(logLevel.INFO);
    expect(kafkaLevelFor(capture('trace').logger)).toBe(logLevel.DEBUG);
    expect(kafkaLevelFor(capture('silent').logger)).toBe(logLevel.NOTHING);
  });

  it('createLogBridge should write KafkaJS entries with their namespace and fields', async () => {
    const { logger, lines } = capture('debug');
    const write = createLogBridge(logger)(logLevel.INFO);
    write({
      namespace: 'Consumer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        message: 'The group is rebalancing, re-joining',
        timestamp: 'now',
        logger: 'kafkajs',
        groupId: 'g',
      },
    });
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        kafkajs: 'Consumer',
        groupId: 'g',
        msg: 'The group is rebalancing, re-joining',
      }),
    ]);
  });
});
