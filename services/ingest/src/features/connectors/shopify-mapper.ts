import { WellKnownEvents, type ConsentSignal, type ShopifyOrder } from '@tessera/contracts';
import { ConnectorIdTypes, compact, externalId, type ConnectorMessage } from './connector-message';

type Address = NonNullable<ShopifyOrder['billing_address']>;

function addressTraits(a: Address | null | undefined): Record<string, unknown> | undefined {
  if (!a) return undefined;
  const out = compact({
    street: [a.address1, a.address2].filter(Boolean).join(', '),
    city: a.city,
    state: a.province_code,
    postalCode: a.zip,
    country: a.country_code,
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Shopify `orders/create` → one `Order Completed` track call (Segment e-commerce spec:
 * order_id, total, revenue, tax, currency, products) with the buyer's identity as
 * `context.traits` (email, phone, names, address) and the Shopify customer id as an external id.
 * The order id is the messageId: Shopify may deliver a webhook more than once.
 */
export function mapShopifyOrder(order: ShopifyOrder): ConnectorMessage[] {
  const customer = order.customer ?? undefined;
  const billing = order.billing_address ?? order.shipping_address ?? undefined;
  const email = order.email ?? order.contact_email ?? customer?.email ?? undefined;
  const phone = order.phone ?? customer?.phone ?? billing?.phone ?? undefined;
  const consentSignals: ConsentSignal[] =
    order.buyer_accepts_marketing === true
      ? [{ purpose: 'email_marketing', status: 'granted', reason: 'shopify_checkout_opt_in' }]
      : [];
  return [
    {
      message: {
        type: 'track',
        messageId: `shopify:order:${order.id}`,
        event: WellKnownEvents.orderCompleted,
        timestamp: order.created_at,
        context: compact({
          traits: compact({
            email,
            phone,
            firstName: customer?.first_name ?? billing?.first_name,
            lastName: customer?.last_name ?? billing?.last_name,
            address: addressTraits(billing),
          }),
          externalIds: customer ? [externalId(ConnectorIdTypes.ecommerceCustomerId, customer.id)] : undefined,
          integration: { name: 'shopify' },
        }),
        properties: compact({
          order_id: String(order.id),
          order_name: order.name,
          total: order.total_price,
          revenue: order.subtotal_price ?? order.total_price,
          tax: order.total_tax,
          discount: order.total_discounts,
          currency: order.currency,
          financial_status: order.financial_status,
          shipping_address: addressTraits(order.shipping_address),
          products: order.line_items.map((li) =>
            compact({
              product_id: li.product_id != null ? String(li.product_id) : undefined,
              variant_id: li.variant_id != null ? String(li.variant_id) : undefined,
              sku: li.sku,
              name: li.title,
              quantity: li.quantity,
              price: li.price,
            }),
          ),
        }),
      },
      ...(consentSignals.length > 0 ? { consentSignals } : {}),
    },
  ];
}
