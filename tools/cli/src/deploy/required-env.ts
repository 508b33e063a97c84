import type { z } from 'zod';

/** Service name -> environment variables it cannot start without (no default, not optional). */
export type RequiredEnv = Record<string, string[]>;

/**
 * The variables of a service's config schema that must be provided: those whose schema rejects
 * `undefined`. Derived from the schemas themselves, so the deployment checks follow the services.
 */
export function requiredVariables(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([name]) => name)
    .sort();
}
