/**
 * Example downstream consumer of the profile change feed (Topics.profileUpdates), e.g. the sync
 * into an email platform. After `npm run build`, run it with any TypeScript runner, e.g.
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx services/profile-store/examples/change-feed-consumer.ts
 * It reads the compacted topic from the beginning with its own group,
 * so a new mirror bootstraps from the latest state of every profile.
 */
import { createKafka } from '@tessera/kafka';
import { createLogger, installShutdown } from '@tessera/observability';
import { ProfileMirror } from './change-feed-mirror';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'change-feed-example', level: process.env.LOG_LEVEL ?? 'info' });
  const kafka = createKafka({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    clientId: 'change-feed-example',
    topicPrefix: process.env.TOPIC_PREFIX ?? '',
    logger,
  });
  const mirror = new ProfileMirror();
  const consumer = kafka.consumer({
    groupId: process.env.GROUP_ID ?? 'example-esp-sync',
    topics: ['profileUpdates'],
    fromBeginning: true,
    handle: async (messages) => {
      for (const m of messages) {
        if (m.key === null) continue;
        const outcome = mirror.apply(m.key, m.value);
        // Log ids and outcomes only: traits carry personal data.
        logger.info(
          { profileId: m.key, kind: m.value?.kind ?? 'tombstone', version: m.value?.version, outcome },
          'profile update',
        );
      }
    },
  });
  await consumer.start();
  installShutdown([{ name: 'consumer', run: () => consumer.stop() }], { logger });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
