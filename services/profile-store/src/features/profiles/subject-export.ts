import type { JsonObject } from '@tessera/contracts';
import { auditEvent } from './audit-sink';
import { profileNotFound as notFound } from './profile-errors';
import type { ProfileServiceDeps } from './profile-service';
import {
  readEvents,
  readIdentities,
  readIdentityChanges,
  readObservations,
  readProfile,
  type EventFilter,
} from './profile-read-model';

/** Everything about the subject for a data-subject access request (privacy:admin), audited. */
export async function exportSubject(deps: ProfileServiceDeps, actor: string, id: string) {
  const profile = await readProfile(deps.db, id);
  if (!profile) throw notFound(id);
  const family = [profile.id, ...profile.mergedFrom];
  const identities = await readIdentities(deps.db, profile.id);
  const observations = await readObservations(deps.db, profile.id);
  const events = [];
  let after: EventFilter['after'];
  for (;;) {
    const page = await readEvents(deps.db, profile.id, { limit: 1000, after });
    events.push(...page);
    if (page.length < 1000) break;
    const last = page[page.length - 1]!;
    after = { occurredAt: last.occurredAt, eventId: last.eventId };
  }
  const traits: JsonObject = { ...profile.traits };
  for (const [trait, sealed] of Object.entries(profile.piiTraits))
    traits[trait] = await deps.vault.openTrait(trait, sealed);
  await deps.audit.record(
    auditEvent({
      action: 'profile.export',
      actor,
      purpose: 'dsr-export',
      profileId: profile.id,
      details: { events: events.length, identities: identities.length },
    }),
  );
  return {
    profile: {
      id: profile.id,
      version: profile.version,
      traits,
      computed: profile.computed,
      consent: profile.consent,
      mergedFrom: profile.mergedFrom,
      createdAt: profile.createdAt,
      updatedAt: profile.updatedAt,
    },
    identities: await Promise.all(
      identities.map(async (i) => ({
        ...i,
        rawSealed: undefined,
        value: i.rawSealed === null ? null : await deps.vault.openIdentity(i.rawSealed),
      })),
    ),
    traits: await Promise.all(
      observations.map(async (o) => ({
        trait: o.trait,
        value: o.valueSealed !== null ? await deps.vault.openTrait(o.trait, o.valueSealed) : o.value,
        source: o.source,
        channel: o.channel,
        observedAt: o.observedAt,
        eventId: o.eventId,
        golden: profile.traitWinners[o.trait]?.observationId === o.id,
      })),
    ),
    events,
    merges: await readIdentityChanges(deps.db, family),
  };
}
