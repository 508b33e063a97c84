import { z } from 'zod';

/** A point-of-sale transaction as till systems export it (one receipt). */
export const PosTransactionSchema = z
  .object({
    transactionId: z.string().min(1).max(200),
    storeId: z.string().min(1).max(100),
    registerId: z.string().max(100).optional(),
    receiptId: z.string().max(200).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    total: z.number().finite(),
    items: z
      .array(
        z
          .object({
            sku: z.string().max(100),
            name: z.string().max(300).optional(),
            quantity: z.number().positive(),
            unitPrice: z.number().finite(),
          })
          .passthrough(),
      )
      .max(1000),
    customer: z
      .object({
        loyaltyId: z.string().max(200).optional(),
        phone: z.string().max(64).optional(),
        email: z.string().max(320).optional(),
        firstName: z.string().max(200).optional(),
        lastName: z.string().max(200).optional(),
      })
      .passthrough()
      .optional(),
    payment: z
      .object({ method: z.string().max(50).optional(), cardToken: z.string().max(200).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type PosTransaction = z.infer<typeof PosTransactionSchema>;
