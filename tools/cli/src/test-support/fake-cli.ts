import type { TopicId } from '@tessera/contracts';
import type {
  BatchConsumer,
  BatchConsumerOptions,
  EnsureTopicsOptions,
  ExtraTopic,
  RawMessage,
  TesseraKafka,
  TopicAdmin,
  TopicDescription,
  TypedProducer,
} from '@tessera/kafka';
import { createLogger } from '@tessera/observability';
import { Topics, topicName } from '@tessera/contracts';
import type { CliContext } from '../cli-context';
import { parseCliConfig, type CliConfig } from '../cli-config';

/** A hand-written admin over an in-memory topic table, recording what the CLI asked for. */
export class FakeAdmin implements TopicAdmin {
  readonly ensureCalls: Array<{
    ids: TopicId[] | undefined;
    extra: ExtraTopic[] | undefined;
    opts: EnsureTopicsOptions | undefined;
  }> = [];
  readonly topics = new Map<string, TopicDescription>();
  disconnected = false;

  constructor(private readonly prefix: string) {}

  async ensureTopics(ids?: TopicId[], extra?: ExtraTopic[], opts?: EnsureTopicsOptions): Promise<void> {
    this.ensureCalls.push({ ids, extra, opts });
    for (const id of ids ?? (Object.keys(Topics) as TopicId[])) {
      const name = topicName(id, this.prefix);
      if (this.topics.has(name)) continue;
      const partitions = Math.min(Topics[id].partitions, opts?.partitions ?? Number.MAX_SAFE_INTEGER);
      this.topics.set(name, { name, partitions, config: { ...Topics[id].config } });
    }
  }

  async describeTopics(ids?: TopicId[]): Promise<TopicDescription[]> {
    const names = (ids ?? (Object.keys(Topics) as TopicId[])).map((id) => topicName(id, this.prefix));
    return names.flatMap((n) => {
      const t = this.topics.get(n);
      return t ? [t] : [];
    });
  }

  async endOffsets(): Promise<Map<number, string>> {
    throw new Error('FakeAdmin.endOffsets is not used by these tests');
  }
  async deleteTopicsByPrefix(): Promise<void> {}
  async deleteGroupsByPrefix(): Promise<void> {}
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

/** A producer that keeps what was published (nothing in these tests needs a broker's answer). */
export class FakeProducer implements TypedProducer {
  readonly raw: Array<{ topic: string; messages: RawMessage[] }> = [];
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async publish(): Promise<void> {
    throw new Error('FakeProducer.publish is not used by these tests');
  }
  async publishTombstone(): Promise<void> {
    throw new Error('FakeProducer.publishTombstone is not used by these tests');
  }
  async publishRaw(physicalTopic: string, messages: RawMessage[]): Promise<void> {
    this.raw.push({ topic: physicalTopic, messages });
  }
}

export class FakeKafka implements TesseraKafka {
  readonly adminClient: FakeAdmin;
  readonly producerClient = new FakeProducer();
  consumersCreated = 0;

  constructor(readonly topicPrefix: string) {
    this.adminClient = new FakeAdmin(topicPrefix);
  }

  topic(id: TopicId): string {
    return topicName(id, this.topicPrefix);
  }
  producer(): TypedProducer {
    return this.producerClient;
  }
  consumer<T extends TopicId>(_opts: BatchConsumerOptions<T>): BatchConsumer {
    this.consumersCreated += 1;
    throw new Error('FakeKafka.consumer is not used by these tests');
  }
  admin(): TopicAdmin {
    return this.adminClient;
  }
}

export interface FakeCli {
  ctx: CliContext;
  kafka: FakeKafka;
  out: string[];
  err: string[];
  closed: () => boolean;
}

/** A CLI context with captured output and a fake Kafka; databases are not available in unit tests. */
export function fakeCli(env: NodeJS.ProcessEnv = {}): FakeCli {
  const out: string[] = [];
  const err: string[] = [];
  let config: CliConfig | undefined;
  let kafka: FakeKafka | undefined;
  let closed = false;
  const cleanups: Array<() => Promise<void>> = [];
  const ctx: CliContext = {
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    env,
    config() {
      config ??= parseCliConfig(env);
      return config;
    },
    logger: () => createLogger({ name: 'cli-test', level: 'silent' }),
    kafka() {
      kafka ??= fake;
      return kafka;
    },
    pool() {
      throw new Error('no database in unit tests');
    },
    defer: (fn) => cleanups.push(fn),
    async close() {
      for (const fn of cleanups.reverse()) await fn();
      closed = true;
    },
  };
  // Built eagerly so tests can inspect it, handed out only when a command asks for Kafka.
  const fake = new FakeKafka(env.TOPIC_PREFIX ?? '');
  return { ctx, kafka: fake, out, err, closed: () => closed };
}
