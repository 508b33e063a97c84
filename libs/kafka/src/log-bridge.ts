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

/**
 * KafkaJS warnings about choices made on purpose: the producer's bounded retries (a publish must
 * fail eventually so HTTP can answer 503; callers retry, handlers are idempotent).
 */
const EXPECTED_WARNINGS = [/^Limiting retries for the idempotent producer/];

/** The pino method for one KafkaJS entry: level mapping, minus warnings we expect. */
export function pinoMethodForEntry(level: logLevel, message: string): PinoMethod {
  const method = pinoMethodFor(level);
  if (method === 'warn' && EXPECTED_WARNINGS.some((re) => re.test(message))) return 'debug';
  return method;
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
      log[pinoMethodForEntry(level, message)]({ kafkajs: namespace, ...extra }, message);
    };
}
