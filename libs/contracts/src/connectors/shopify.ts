import { z } from 'zod';

/**
 * Shopify `orders/create` webhook body (REST Admin API Order resource,
 * https://shopify.dev/docs/api/admin-rest/latest/resources/order). Prices are decimal strings.
 */
const Money = z.union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()]).transform((v) => Number(v));

export const ShopifyAddressSchema = z
  .object({
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    address1: z.string().nullish(),
    address2: z.string().nullish(),
    city: z.string().nullish(),
    province_code: z.string().nullish(),
    zip: z.string().nullish(),
    country_code: z.string().nullish(),
    phone: z.string().nullish(),
  })
  .passthrough();

export const ShopifyOrderSchema = z
  .object({
    id: z.number().int(),
    name: z.string().optional(),
    order_number: z.number().int().optional(),
    created_at: z.iso.datetime({ offset: true }),
    currency: z.string().regex(/^[A-Z]{3}$/),
    email: z.string().max(320).nullish(),
    contact_email: z.string().max(320).nullish(),
    phone: z.string().max(64).nullish(),
    total_price: Money,
    subtotal_price: Money.optional(),
    total_tax: Money.optional(),
    total_discounts: Money.optional(),
    financial_status: z.string().nullish(),
    buyer_accepts_marketing: z.boolean().optional(),
    line_items: z
      .array(
        z
          .object({
            id: z.number().int(),
            product_id: z.number().int().nullish(),
            variant_id: z.number().int().nullish(),
            sku: z.string().nullish(),
            title: z.string(),
            quantity: z.number().int().positive(),
            price: Money,
          })
          .passthrough(),
      )
      .max(1000),
    billing_address: ShopifyAddressSchema.nullish(),
    shipping_address: ShopifyAddressSchema.nullish(),
    customer: z
      .object({
        id: z.number().int(),
        email: z.string().max(320).nullish(),
        phone: z.string().max(64).nullish(),
        first_name: z.string().nullish(),
        last_name: z.string().nullish(),
        accepts_marketing: z.boolean().optional(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();
export type ShopifyOrder = z.output<typeof ShopifyOrderSchema>;
