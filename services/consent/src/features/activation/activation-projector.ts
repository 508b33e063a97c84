import type { ActivationRecordV1, ConsentState, JsonObject, ProfileUpdateV1 } from '@tessera/contracts';
import type { Destination } from './destinations';

export type Projection = { action: 'upsert'; record: ActivationRecordV1 } | { action: 'remove' };

/**
 * Whether a purpose's state permits processing: a grant always does; under an opt-out regime
 * (CCPA sale/sharing) the absence of any record does too. Denied and withdrawn never do.
 */
export function permits(
  status: ConsentState[string] | undefined,
  purpose: string,
  optOutPurposes: ReadonlySet<string>,
): boolean {
  if (status === 'granted') return true;
  return (status === undefined || status === 'unknown') && optOutPurposes.has(purpose);
}

export function destinationPermits(
  destination: Destination,
  consent: ConsentState,
  optOutPurposes: ReadonlySet<string>,
): boolean {
  return destination.requiredPurposes.every((p) => permits(consent[p], p, optOutPurposes));
}

const pick = (source: JsonObject, allowed: ReadonlySet<string>): JsonObject =>
  Object.fromEntries(Object.entries(source).filter(([k]) => allowed.has(k)));

/**
 * What a destination's feed should hold for a profile after an update: the allowed traits when every
 * required purpose is permitted (by the ledger's state, not the update's copy), otherwise nothing.
 */
export function projectForDestination(
  destination: Destination,
  update: ProfileUpdateV1,
  consent: ConsentState,
  optOutPurposes: ReadonlySet<string>,
): Projection {
  if (update.kind === 'deleted' || update.kind === 'merged') return { action: 'remove' };
  if (!destinationPermits(destination, consent, optOutPurposes)) return { action: 'remove' };
  const allowed = new Set(destination.allowedTraits);
  return {
    action: 'upsert',
    record: {
      schemaVersion: 1,
      destination: destination.name,
      profileId: update.profileId,
      version: update.version,
      traits: pick(update.traits, allowed),
      computed: pick(update.computed, allowed),
      consent: Object.fromEntries(destination.requiredPurposes.map((p) => [p, consent[p] ?? 'unknown'])),
      updatedAt: update.updatedAt,
    },
  };
}
