import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@tessera/observability';

type PinoMethod = 'trace' | 'debug' | 'info' | 'warn';

/**
 * KafkaJS levels mapped onto ours. KafkaJS is chatty and logs self-healing conditions (a group
 * rebalancing, a broker connection dropping and being re-established) as ERROR; a healthy system
 * logs no ERROR lines, so nothing KafkaJS says is more than a warning. Its INFO lines (group
 * joins, consumer starts) are routine: debug.
 */
export function pinoMethodFor(level: logLevel): PinoMethod {
  switch (level) {
    case logLevel.ERROR:
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'debug';
    default:
      return 'trace';
  }
}

/** The KafkaJS level to enable so that nothing pino would drop is even formatted. */
export function kafkaLevelFor(logger: Logger): logLevel {
  if (logger.isLevelEnabled('trace')) return logLevel.DEBUG;
  if (logger.isLevelEnabled('debug')) return logLevel.INFO;
  if (logger.isLevelEnabled('warn')) return logLevel.WARN;
  return logLevel.NOTHING;
}

/** A KafkaJS `logCreator` writing into a child of the given pino logger. */
export function createLogBridge(logger: Logger): logCreator {
  const log = logger.child({ module: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _origin, ...extra } = entry;
      log[pinoMethodFor(level)]({ kafkajs: namespace, ...extra }, message);
    };
}
