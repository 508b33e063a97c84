import { z } from 'zod';

/** A CRM contact upsert (a CRM's outbound webhook on contact create/update). */
export const CrmContactSchema = z
  .object({
    eventId: z.string().min(1).max(200),
    contactId: z.union([z.string().min(1).max(200), z.number()]),
    updatedAt: z.iso.datetime({ offset: true }),
    email: z.string().max(320).optional(),
    phone: z.string().max(64).optional(),
    firstName: z.string().max(200).optional(),
    lastName: z.string().max(200).optional(),
    address: z
      .object({
        street: z.string().optional(),
        city: z.string().optional(),
        region: z.string().optional(),
        postalCode: z.string().optional(),
        country: z.string().optional(),
      })
      .passthrough()
      .optional(),
    emailOptIn: z.boolean().optional(),
  })
  .passthrough();
export type CrmContact = z.infer<typeof CrmContactSchema>;
