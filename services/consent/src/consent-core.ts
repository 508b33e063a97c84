import type pg from 'pg';
import { Topics, activationTopicName } from '@tessera/contracts';
import type { TopicId } from '@tessera/contracts';
import { FieldEncryptor, LocalKeyring, createIdentifierHasher, decodeSecret } from '@tessera/crypto';
import type { KeyEncryptionProvider } from '@tessera/crypto';
import type { TypedProducer } from '@tessera/kafka';
import type { Logger } from '@tessera/observability';
import type { ConsentConfig } from './config';
import { purposesOf } from './config';
import { createActivationService } from './features/activation/activation-service';
import type { ActivationService } from './features/activation/activation-service';
import { DEFAULT_DESTINATIONS_FILE, loadDestinations } from './features/activation/destinations';
import type { Destination } from './features/activation/destinations';
import { createAuditStore } from './features/audit/audit-store';
import type { AuditStore } from './features/audit/audit-store';
import { createDsrService } from './features/dsr/dsr-service';
import type { DsrService } from './features/dsr/dsr-service';
import { createUpstreamClient } from './features/dsr/upstream-client';
import type { UpstreamClient } from './features/dsr/upstream-client';
import { createConsentService } from './features/ledger/consent-service';
import type { ConsentService } from './features/ledger/consent-service';
import { dueTransitions } from './features/ledger/ledger-store';
import { createOutboxRelay } from './features/outbox/outbox';
import type { OutboxRelay } from './features/outbox/outbox';
import { createPiiVault } from './features/pii/pii-vault';

/** The slice of config the core needs (tests build it directly). */
export type ConsentCoreSettings = Pick<
  ConsentConfig,
  | 'TOPIC_PREFIX'
  | 'IDENTIFIER_HASH_KEY'
  | 'PII_KEYRING'
  | 'AUDIT_SIGNING_KEY'
  | 'CONSENT_EXTRA_PURPOSES'
  | 'CONSENT_OPT_OUT_PURPOSES'
  | 'DESTINATIONS_FILE'
  | 'PROFILE_STORE_URL'
  | 'IDENTITY_URL'
  | 'PRIVACY_ADMIN_TOKEN'
  | 'DSR_REQUIRED_SERVICES'
  | 'DSR_RESEND_AFTER_MS'
  | 'DSR_MAX_ATTEMPTS'
>;

export interface ConsentCore {
  purposes: string[];
  destinations: Destination[];
  keyProvider: KeyEncryptionProvider;
  encryptor: FieldEncryptor;
  hasher: ReturnType<typeof createIdentifierHasher>;
  audit: AuditStore;
  consent: ConsentService;
  activation: ActivationService;
  dsr: DsrService;
  relay: OutboxRelay;
  upstream: UpstreamClient;
  /** Re-derives states whose expiry or scheduled record came due (changes wait in the outbox). */
  sweepDue(now?: Date): Promise<number>;
}

/** Builds every service of the consent domain from its clients; no I/O until used. */
export function createConsentCore(
  settings: ConsentCoreSettings,
  deps: {
    pool: pg.Pool;
    producer: Pick<TypedProducer, 'publish' | 'publishRaw'>;
    logger: Logger;
    keyProvider?: KeyEncryptionProvider;
    upstream?: UpstreamClient;
    clock?: () => Date;
  },
): ConsentCore {
  const purposes = purposesOf(settings);
  const destinations = loadDestinations(settings.DESTINATIONS_FILE ?? DEFAULT_DESTINATIONS_FILE, purposes);
  const prefix = settings.TOPIC_PREFIX;
  const keyProvider = deps.keyProvider ?? LocalKeyring.fromString(settings.PII_KEYRING);
  const encryptor = new FieldEncryptor(keyProvider);
  const hasher = createIdentifierHasher(settings.IDENTIFIER_HASH_KEY);
  const audit = createAuditStore({ pool: deps.pool, signingKey: decodeSecret(settings.AUDIT_SIGNING_KEY) });
  const topicIds = new Map<string, TopicId>(
    (Object.keys(Topics) as TopicId[]).map((id) => [`${prefix}${Topics[id].name}`, id]),
  );
  const relay = createOutboxRelay({
    pool: deps.pool,
    producer: deps.producer,
    topicIds,
    logger: deps.logger,
  });
  const optOut = new Set(settings.CONSENT_OPT_OUT_PURPOSES);
  const clock = deps.clock ?? (() => new Date());
  // The activation service reads consent state and consent changes feed it: late-bound hook.
  const hooks: { activation?: ActivationService } = {};
  const consent = createConsentService({
    pool: deps.pool,
    audit,
    consentChangesTopic: `${prefix}${Topics.consentChanges.name}`,
    purposes,
    clock,
    onChanges: (client, changes) => hooks.activation!.onConsentChanges(client, changes),
  });
  const activation = createActivationService({
    pool: deps.pool,
    consent,
    destinations,
    topicOf: (name) => activationTopicName(name, prefix),
    optOutPurposes: optOut,
  });
  hooks.activation = activation;
  const upstream =
    deps.upstream ??
    createUpstreamClient({
      profileStoreUrl: settings.PROFILE_STORE_URL,
      identityUrl: settings.IDENTITY_URL,
      token: settings.PRIVACY_ADMIN_TOKEN,
    });
  const dsr = createDsrService({
    pool: deps.pool,
    upstream,
    vault: createPiiVault(encryptor),
    consent,
    audit,
    producer: deps.producer,
    hasher,
    activationTopics: () => destinations.map((d) => activationTopicName(d.name, prefix)),
    requiredServices: settings.DSR_REQUIRED_SERVICES,
    resendAfterMs: settings.DSR_RESEND_AFTER_MS,
    maxAttempts: settings.DSR_MAX_ATTEMPTS,
    logger: deps.logger,
    clock,
  });
  return {
    purposes,
    destinations,
    keyProvider,
    encryptor,
    hasher,
    audit,
    consent,
    activation,
    dsr,
    relay,
    upstream,
    async sweepDue(now = clock()) {
      let total = 0;
      for (;;) {
        const due = await dueTransitions(deps.pool, now, 500);
        if (due.length === 0) break;
        total += (await consent.rederive(due, 'system:consent-expiry', now)).length;
        if (due.length < 500) break;
      }
      return total;
    },
  };
}
