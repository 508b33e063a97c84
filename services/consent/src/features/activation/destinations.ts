import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PurposeSchema, activationTopicName } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';

export const DestinationSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'destination names are lower-case, [a-z0-9_-]'),
  requiredPurposes: z.array(PurposeSchema).min(1),
  /** Golden or computed trait names the destination may receive; everything else is stripped. */
  allowedTraits: z.array(z.string().min(1).max(200)),
});
export type Destination = z.infer<typeof DestinationSchema>;

export const DestinationsFileSchema = z
  .object({ destinations: z.array(DestinationSchema) })
  .refine(
    (f) => new Set(f.destinations.map((d) => d.name)).size === f.destinations.length,
    'destination names must be unique',
  );

/** The shipped destinations (services/consent/config/destinations.json). */
export const DEFAULT_DESTINATIONS_FILE = path.join(__dirname, '../../../config/destinations.json');

/** Reads and validates a destinations file; unknown purposes are refused so a typo never opens a feed. */
export function loadDestinations(file: string, purposes: readonly string[]): Destination[] {
  const parsed = DestinationsFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  for (const d of parsed.destinations) {
    const unknown = d.requiredPurposes.filter((p) => !purposes.includes(p));
    if (unknown.length > 0)
      throw new Error(`destination ${d.name} requires unconfigured purposes: ${unknown.join(', ')}`);
  }
  return parsed.destinations;
}

/** Mirrors the config into the destinations table (for reporting and joins); removed ones are deleted. */
export async function syncDestinations(db: Queryable, destinations: readonly Destination[]): Promise<void> {
  await db.query(
    `INSERT INTO destinations (name, required_purposes, allowed_traits)
     SELECT n, string_to_array(r, ','), string_to_array(a, ',') FROM unnest($1::text[], $2::text[], $3::text[]) AS t(n, r, a)
     ON CONFLICT (name) DO UPDATE SET required_purposes = EXCLUDED.required_purposes, allowed_traits = EXCLUDED.allowed_traits, updated_at = now()`,
    [
      destinations.map((d) => d.name),
      destinations.map((d) => d.requiredPurposes.join(',')),
      destinations.map((d) => d.allowedTraits.join(',')),
    ],
  );
  await db.query('DELETE FROM destinations WHERE NOT (name = ANY($1::text[]))', [
    destinations.map((d) => d.name),
  ]);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Activation feeds as extra topics for `ensureTopics`: compacted, keyed by profile id. */
export function activationTopics(destinations: readonly Destination[], prefix: string, partitions = 12) {
  return destinations.map((d) => ({
    name: activationTopicName(d.name, prefix),
    partitions,
    config: {
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': String(60_000),
      'delete.retention.ms': String(DAY_MS),
      'segment.ms': String(DAY_MS),
    },
  }));
}
