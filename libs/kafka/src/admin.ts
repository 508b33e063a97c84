import { Topics, topicName, type TopicId } from '@tessera/contracts';
import type { Logger } from '@tessera/observability';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { sleep } from './backoff';
import { kafkaErrorType } from './kafka-errors';
import type { EnsureTopicsOptions, ExtraTopic, TopicAdmin, TopicDescription } from './types';

export interface AdminSettings {
  kafka: Kafka;
  topicPrefix: string;
  logger: Logger;
  replicationFactor: number;
}

/** KafkaJS's value for a config set on the topic itself (not a broker default). */
const DYNAMIC_TOPIC_CONFIG = 1;
const METADATA_WAIT_MS = 30_000;

/** Topic specs to create for the given catalogue ids and extras, partitions capped if asked. */
export function plannedTopics(
  ids: readonly TopicId[],
  extra: readonly ExtraTopic[],
  topicPrefix: string,
  maxPartitions?: number,
): ExtraTopic[] {
  const cap = (n: number) => (maxPartitions === undefined ? n : Math.max(1, Math.min(n, maxPartitions)));
  const planned = new Map<string, ExtraTopic>();
  for (const id of ids) {
    const spec = Topics[id];
    planned.set(topicName(id, topicPrefix), {
      name: topicName(id, topicPrefix),
      partitions: cap(spec.partitions),
      config: { ...spec.config },
    });
  }
  for (const topic of extra) planned.set(topic.name, { ...topic, config: { ...(topic.config ?? {}) } });
  return [...planned.values()];
}

/** See `TopicAdmin`. Connects on first use. */
export function createTopicAdmin(settings: AdminSettings): TopicAdmin {
  const log = settings.logger.child({ module: 'kafka-admin' });
  let admin: Admin | undefined;
  let connecting: Promise<Admin> | undefined;

  const connected = async (): Promise<Admin> => {
    if (admin) return admin;
    connecting ??= (async () => {
      const a = settings.kafka.admin();
      try {
        await a.connect();
      } finally {
        connecting = undefined;
      }
      admin = a;
      return a;
    })();
    return connecting;
  };

  const waitForMetadata = async (a: Admin, names: string[]) => {
    const deadline = Date.now() + METADATA_WAIT_MS;
    for (;;) {
      try {
        const { topics } = await a.fetchTopicMetadata({ topics: names });
        const ready = topics.every(
          (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
        );
        if (ready && topics.length === names.length) return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline)
        throw new Error(`topics not visible in metadata after ${METADATA_WAIT_MS} ms`);
      await sleep(100);
    }
  };

  return {
    async ensureTopics(ids = Object.keys(Topics) as TopicId[], extra = [], opts: EnsureTopicsOptions = {}) {
      const a = await connected();
      const planned = plannedTopics(ids, extra, settings.topicPrefix, opts.partitions);
      if (planned.length === 0) return;
      const existing = new Set(await a.listTopics());
      const missing = planned.filter((t) => !existing.has(t.name));
      if (missing.length > 0) {
        try {
          // kafkajs's own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a loaded broker
          // answers for a moment after creation; waitForMetadata below polls until leaders exist.
          await a.createTopics({
            waitForLeaders: false,
            topics: missing.map((t) => ({
              topic: t.name,
              numPartitions: t.partitions,
              replicationFactor: opts.replicationFactor ?? settings.replicationFactor,
              configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
            })),
          });
        } catch (err) {
          // Another instance creating the same topics at the same time is fine.
          const errors = (err as { errors?: unknown[] }).errors;
          const alreadyExists = (e: unknown) => kafkaErrorType(e) === 'TOPIC_ALREADY_EXISTS';
          if (!(Array.isArray(errors) ? errors.every(alreadyExists) : alreadyExists(err))) throw err;
        }
        log.info({ topics: missing.map((t) => t.name) }, 'created topics');
      }
      await waitForMetadata(
        a,
        planned.map((t) => t.name),
      );
    },

    async describeTopics(ids = Object.keys(Topics) as TopicId[]) {
      const a = await connected();
      const names = ids.map((id) => topicName(id, settings.topicPrefix));
      if (names.length === 0) return [];
      const existing = new Set(await a.listTopics());
      const present = names.filter((n) => existing.has(n));
      if (present.length === 0) return [];
      const { topics } = await a.fetchTopicMetadata({ topics: present });
      const configs = await a.describeConfigs({
        includeSynonyms: false,
        resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
      });
      const configByTopic = new Map<string, Record<string, string>>();
      for (const resource of configs.resources) {
        const config: Record<string, string> = {};
        for (const entry of resource.configEntries) {
          if (entry.configSource === DYNAMIC_TOPIC_CONFIG && entry.configValue !== null) {
            config[entry.configName] = entry.configValue;
          }
        }
        configByTopic.set(resource.resourceName, config);
      }
      return present.map((name): TopicDescription => ({
        name,
        partitions: topics.find((t) => t.name === name)?.partitions.length ?? 0,
        config: configByTopic.get(name) ?? {},
      }));
    },

    async endOffsets(id) {
      const a = await connected();
      const offsets = await a.fetchTopicOffsets(topicName(id, settings.topicPrefix));
      return new Map(offsets.map((o) => [o.partition, o.high]));
    },

    async deleteTopicsByPrefix(prefix) {
      if (prefix.length === 0) throw new Error('refusing to delete topics with an empty prefix');
      const a = await connected();
      const doomed = (await a.listTopics()).filter((t) => t.startsWith(prefix));
      if (doomed.length === 0) return;
      await a.deleteTopics({ topics: doomed, timeout: 30_000 });
      // The controller has deleted them; brokers drop them from their metadata a moment later
      // (longer on a loaded machine), and a caller that lists topics next must not still see them.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (await a.listTopics()).some((t) => doomed.includes(t)))
        await new Promise((resolve) => setTimeout(resolve, 100));
      log.debug({ topics: doomed.length, prefix }, 'deleted topics');
    },

    async deleteGroupsByPrefix(prefix) {
      if (prefix.length === 0) throw new Error('refusing to delete consumer groups with an empty prefix');
      const a = await connected();
      const { groups } = await a.listGroups();
      const doomed = groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
      if (doomed.length === 0) return;
      try {
        await a.deleteGroups(doomed);
      } catch (err) {
        // Groups that still have members (a consumer not yet gone) cannot be deleted; not an error for cleanup.
        log.debug({ err, prefix }, 'some consumer groups could not be deleted');
      }
    },

    async disconnect() {
      const a = admin ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      admin = undefined;
      if (a) await a.disconnect();
    },
  };
}
