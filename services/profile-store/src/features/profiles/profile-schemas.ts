import { z } from 'zod';
import { IdentifierTypeSchema, UuidSchema } from '@tessera/contracts';

export const ProfileParamsSchema = z.object({ id: UuidSchema });

export const LookupQuerySchema = z.object({
  type: IdentifierTypeSchema,
  value: z.string().min(1).max(512),
});

export const EventsQuerySchema = z
  .object({
    type: z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']).optional(),
    source: z.string().min(1).max(100).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().min(1).max(500).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: 'from must be before to',
    path: ['from'],
  });

export const TraitsQuerySchema = z.object({
  history: z.enum(['true', 'false']).default('false'),
});

export const SearchQuerySchema = z.object({
  trait: z.string().min(1).max(200),
  value: z.string().max(512),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: UuidSchema.optional(),
});

export const PurposeHeaderSchema = z.string().max(200).optional();
