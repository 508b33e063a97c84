import type { OutboxPublisher } from '@tessera/outbox';

/**
 * The slice of @tessera/kafka's TypedProducer the identity features publish through (directly,
 * or through the outbox relay, which also needs `publishTombstone`).
 */
export type Publisher = OutboxPublisher;
