import { uuidArray, type Queryable } from '@tessera/db';
import type { ProfileRow } from '../profiles/profile-repository';
import { isPiiTrait } from './pii-traits';
import { sameJson } from './same-json';
import { applySurvivorship, type TraitObservation } from './survivorship';
import { ruleFor, type SurvivorshipConfig } from './survivorship-config';

interface ObservationDbRow {
  id: string;
  profile_id: string;
  trait: string;
  value: unknown;
  value_sealed: string | null;
  value_key: string;
  source: string;
  channel: string;
  observed_at: Date;
  event_id: string;
}

const OBS_COLUMNS =
  'id, profile_id, trait, value, value_sealed, value_key, source, channel, observed_at, event_id';

function toObservation(r: ObservationDbRow): TraitObservation {
  return {
    // Zero-padded so string comparison (survivorship's tie-break) follows insertion order.
    id: String(r.id).padStart(19, '0'),
    value: r.value_sealed ?? r.value,
    valueKey: r.value_key,
    source: r.source,
    channel: r.channel,
    observedAt: r.observed_at.getTime(),
    eventId: r.event_id,
  };
}

/**
 * Recomputes golden values on the given profiles (mutated in place) from their observations:
 * for the listed traits only (hot path), or every trait when `traits` is undefined (after merges
 * and splits, where observations moved). Returns the names of traits whose golden value changed.
 */
export async function recomputeGolden(
  db: Queryable,
  config: SurvivorshipConfig,
  profiles: ProfileRow[],
  traits?: Map<string, Set<string>>,
): Promise<Map<string, string[]>> {
  const changed = new Map<string, string[]>();
  if (profiles.length === 0) return changed;
  let rows: ObservationDbRow[];
  if (traits) {
    const pairs = profiles.flatMap((p) => [...(traits.get(p.id) ?? [])].map((t) => [p.id, t] as const));
    if (pairs.length === 0) return changed;
    ({ rows } = await db.query<ObservationDbRow>(
      `SELECT ${OBS_COLUMNS} FROM trait_observations o
        JOIN unnest($1::uuid[], $2::text[]) AS k(profile_id, trait) USING (profile_id, trait)`,
      [uuidArray(pairs.map((p) => p[0])), pairs.map((p) => p[1])],
    ));
  } else {
    ({ rows } = await db.query<ObservationDbRow>(
      `SELECT ${OBS_COLUMNS} FROM trait_observations WHERE profile_id = ANY($1::uuid[])`,
      [profiles.map((p) => p.id)],
    ));
  }
  const grouped = new Map<string, Map<string, TraitObservation[]>>();
  for (const r of rows) {
    let byTrait = grouped.get(r.profile_id);
    if (!byTrait) grouped.set(r.profile_id, (byTrait = new Map()));
    const list = byTrait.get(r.trait) ?? [];
    list.push(toObservation(r));
    byTrait.set(r.trait, list);
  }
  for (const profile of profiles) {
    const byTrait = grouped.get(profile.id) ?? new Map<string, TraitObservation[]>();
    const names = traits
      ? [...(traits.get(profile.id) ?? [])]
      : [...new Set([...byTrait.keys(), ...Object.keys(profile.traits), ...Object.keys(profile.piiTraits)])];
    const profileChanged: string[] = [];
    for (const trait of names) {
      const golden = applySurvivorship(ruleFor(config, trait), byTrait.get(trait) ?? []);
      const pii = isPiiTrait(trait);
      // Values are replaced, never mutated in place, so these references keep the old state; a
      // missing value or winner counts as null, as it did when both were compared as JSON arrays.
      const valueBefore = pii ? profile.piiTraits[trait] : profile.traits[trait];
      const winnerBefore = profile.traitWinners[trait]?.observationId;
      if (golden === undefined) {
        delete profile.traits[trait];
        delete profile.piiTraits[trait];
        delete profile.traitWinners[trait];
      } else {
        if (pii) profile.piiTraits[trait] = String(golden.value);
        else profile.traits[trait] = golden.value;
        profile.traitWinners[trait] = {
          observationId: String(Number(golden.winner.id)),
          source: golden.winner.source,
          channel: golden.winner.channel,
          observedAt: new Date(golden.winner.observedAt).toISOString(),
          eventId: golden.winner.eventId,
          rule: golden.rule,
        };
      }
      const valueAfter = pii ? profile.piiTraits[trait] : profile.traits[trait];
      if (
        (profile.traitWinners[trait]?.observationId ?? null) !== (winnerBefore ?? null) ||
        !sameJson(valueBefore ?? null, valueAfter ?? null)
      )
        profileChanged.push(trait);
    }
    if (profileChanged.length > 0) changed.set(profile.id, profileChanged.sort());
  }
  return changed;
}
