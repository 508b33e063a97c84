import { z } from 'zod';

/** A social interaction or lead-ad form submission, as platforms' webhooks deliver them. */
export const SocialEventSchema = z
  .object({
    eventId: z.string().min(1).max(200),
    network: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/),
    occurredAt: z.iso.datetime({ offset: true }),
    user: z
      .object({
        id: z.union([z.string().min(1), z.number()]).optional(),
        handle: z.string().max(200).optional(),
      })
      .passthrough(),
    type: z.enum(['interaction', 'lead']),
    interaction: z
      .object({ kind: z.string().max(50), postId: z.string().max(200).optional() })
      .passthrough()
      .optional(),
    lead: z
      .object({ formId: z.string().max(200), fields: z.record(z.string(), z.string()) })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type SocialEvent = z.infer<typeof SocialEventSchema>;
