import type { TopicId, TopicMessage } from '@tessera/contracts';

/** The slice of @tessera/kafka's TypedProducer the identity features publish through. */
export interface Publisher {
  publish<T extends TopicId>(topic: T, messages: TopicMessage<T>[]): Promise<void>;
}
