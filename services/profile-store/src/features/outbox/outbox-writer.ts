import type { ConsentState, JsonObject, ProfileUpdateV1, TopicId, TopicMessage } from '@tessera/contracts';
import type { PiiVault } from '../profiles/pii-vault';
import type { ProfileRow } from '../profiles/profile-repository';
import type { OpenedValues } from './opened-values';

/**
 * One message for the relay; `payload: null` is a tombstone. Written with `insertOutboxRows`: these
 * are built by typed code from stored rows, so they are not validated one by one before the commit
 * (the relay checks each before publishing).
 */
export interface OutboxEntry<T extends TopicId = TopicId> {
  topic: T;
  key: string;
  payload: TopicMessage<T> | null;
}

/**
 * The golden record with personal traits opened (for the feed and for `pii:read` callers).
 * `opened` answers for values opened (or sealed) before and keeps what this call decrypts.
 */
export async function openTraits(
  vault: PiiVault,
  profile: ProfileRow,
  opened?: OpenedValues,
): Promise<JsonObject> {
  const traits: JsonObject = { ...profile.traits };
  for (const [trait, sealed] of Object.entries(profile.piiTraits)) {
    const hit = opened?.get(sealed);
    if (hit) traits[trait] = hit.value as JsonObject[string];
    else {
      const value = await vault.openTrait(trait, sealed);
      opened?.set(sealed, value);
      traits[trait] = value as JsonObject[string];
    }
  }
  return traits;
}

/** The change-feed message for a profile's committed state. */
export async function profileUpdate(
  vault: PiiVault,
  profile: ProfileRow,
  kind: ProfileUpdateV1['kind'],
  changed: string[],
  extra: { mergedInto?: string; splitInto?: string[] } = {},
  opened?: OpenedValues,
): Promise<OutboxEntry<'profileUpdates'>> {
  const payload: ProfileUpdateV1 = {
    schemaVersion: 1,
    profileId: profile.id,
    version: profile.version,
    kind,
    traits: kind === 'upsert' || kind === 'split' ? await openTraits(vault, profile, opened) : {},
    computed: kind === 'upsert' || kind === 'split' ? profile.computed : {},
    changed,
    consent: profile.consent as ConsentState,
    ...(profile.mergedFrom.length > 0 ? { mergedFrom: profile.mergedFrom } : {}),
    ...extra,
    updatedAt: new Date().toISOString(),
  };
  return { topic: 'profileUpdates', key: profile.id, payload };
}
