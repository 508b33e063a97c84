import type { z } from 'zod';
import { AccessKeyV1Schema } from './access';
import { AuditEventV1Schema } from './audit';
import { CanonicalEventV1Schema, IntakeMessageV1Schema, ingestedEventKey } from './canonical-event';
import { ConsentChangeV1Schema, consentChangeKey } from './consent-change';
import { DeadLetterV1Schema } from './dead-letter';
import { IdentityChangeV1Schema, ResolvedEventV1Schema, identityChangeKey } from './identity';
import { PrivacyCommandV1Schema, PrivacyStatusV1Schema } from './privacy';
import { ProfileUpdateV1Schema } from './profile-update';
import { SuppressionEntryV1Schema, suppressionKey } from './suppression';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicSpec<S extends z.ZodType> {
  /** Physical name without the deployment prefix (see `topicName`). */
  readonly name: string;
  readonly schema: S;
  /** Partition key of a message; null when the topic is keyed by nothing meaningful. */
  readonly key: (message: z.infer<S>) => string;
  readonly partitions: number;
  /** Broker-side topic config (retention, compaction). */
  readonly config: Readonly<Record<string, string>>;
  /** Whether a null value (tombstone) is a legal message here. */
  readonly tombstones: boolean;
}

function topic<S extends z.ZodType>(spec: TopicSpec<S>): TopicSpec<S> {
  return spec;
}

const retention = (days: number) => ({ 'cleanup.policy': 'delete', 'retention.ms': String(days * DAY_MS) });
const compacted = {
  'cleanup.policy': 'compact',
  'min.compaction.lag.ms': String(60_000),
  'delete.retention.ms': String(DAY_MS),
  'segment.ms': String(DAY_MS),
};

/**
 * Every topic of the platform, its message schema, key and settings. Services publish and
 * subscribe only through this catalogue (libs/kafka), so nothing crosses Kafka without a schema.
 * Raw-event topics have bounded retention (7 days) so erased subjects' events age out; state
 * topics are compacted and get tombstones on erasure (see docs/architecture.md, docs/privacy.md).
 */
export const Topics = {
  /** Sources publishing directly to Kafka; ingest validates like HTTP. */
  intake: topic({
    name: 'tessera.intake.v1',
    schema: IntakeMessageV1Schema,
    key: (m) => m.messageId,
    partitions: 6,
    config: retention(7),
    tombstones: false,
  }),
  /** Validated, normalized, deduplicated events. */
  eventsIngested: topic({
    name: 'tessera.events.ingested.v1',
    schema: CanonicalEventV1Schema,
    key: ingestedEventKey,
    partitions: 12,
    config: retention(7),
    tombstones: false,
  }),
  /** Events with their profile id, keyed by profile id. */
  eventsResolved: topic({
    name: 'tessera.events.resolved.v1',
    schema: ResolvedEventV1Schema,
    key: (m) => m.profileId,
    partitions: 12,
    config: retention(7),
    tombstones: false,
  }),
  /** Merges and splits of the identity graph. Kept long: it is the explanation of every profile. */
  identityChanges: topic({
    name: 'tessera.identity.changes.v1',
    schema: IdentityChangeV1Schema,
    key: identityChangeKey,
    partitions: 6,
    config: retention(30),
    tombstones: false,
  }),
  /** The golden-record change feed (compacted, keyed by profile id). */
  profileUpdates: topic({
    name: 'tessera.profiles.updates.v1',
    schema: ProfileUpdateV1Schema,
    key: (m) => m.profileId,
    partitions: 12,
    config: compacted,
    tombstones: true,
  }),
  /** Derived consent state changes (compacted per subject+purpose is not possible: keyed by subject). */
  consentChanges: topic({
    name: 'tessera.consent.changes.v1',
    schema: ConsentChangeV1Schema,
    key: consentChangeKey,
    partitions: 6,
    config: retention(30),
    tombstones: false,
  }),
  /** Data-subject request commands fanned out to every service holding personal data. */
  privacyCommands: topic({
    name: 'tessera.privacy.commands.v1',
    schema: PrivacyCommandV1Schema,
    key: (m) => m.requestId,
    partitions: 3,
    config: retention(30),
    tombstones: false,
  }),
  /** Per-service outcome of privacy commands. */
  privacyStatus: topic({
    name: 'tessera.privacy.status.v1',
    schema: PrivacyStatusV1Schema,
    key: (m) => m.requestId,
    partitions: 3,
    config: retention(30),
    tombstones: false,
  }),
  /** API keys (hashed), compacted; every API tails it. */
  accessKeys: topic({
    name: 'tessera.access.keys.v1',
    schema: AccessKeyV1Schema,
    key: (m) => m.keyId,
    partitions: 1,
    config: compacted,
    tombstones: true,
  }),
  /** Keyed hashes of erased subjects' identifiers (compacted); ingest drops their events. */
  suppression: topic({
    name: 'tessera.privacy.suppression.v1',
    schema: SuppressionEntryV1Schema,
    key: (m) => suppressionKey(m.identifier),
    partitions: 3,
    config: compacted,
    tombstones: true,
  }),
  /** Accountable accesses and changes from every service; consent appends them to the audit chain. */
  audit: topic({
    name: 'tessera.audit.v1',
    schema: AuditEventV1Schema,
    key: (m) => m.subject.profileId ?? m.auditId,
    partitions: 3,
    config: retention(30),
    tombstones: false,
  }),
  /** Messages a consumer could not process, with the reason. */
  deadLetter: topic({
    name: 'tessera.deadletter.v1',
    schema: DeadLetterV1Schema,
    key: (m) => m.key ?? `${m.originalTopic}/${m.partition}/${m.offset}`,
    partitions: 3,
    config: retention(14),
    tombstones: false,
  }),
} as const;

export type TopicCatalogue = typeof Topics;
export type TopicId = keyof TopicCatalogue;
export type TopicMessage<T extends TopicId> = z.infer<TopicCatalogue[T]['schema']>;

/**
 * The physical topic name under a deployment prefix. Tests use a random prefix so runs never
 * share topics; production uses the empty prefix.
 */
export function topicName(id: TopicId, prefix = ''): string {
  return `${prefix}${Topics[id].name}`;
}

/** Per-destination activation feeds are created from destination config, not listed above. */
export function activationTopicName(destination: string, prefix = ''): string {
  return `${prefix}tessera.activation.${destination}.v1`;
}
