import { IdTypes, type Address } from '../world/model';
import type { Product } from '../world/vocabulary';
import type { SocialNetwork } from '../world/vocabulary';
import { truthOf, type Built, type Ident } from './ident';

const unixSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export interface SendGridEventInput {
  event: 'processed' | 'delivered' | 'open' | 'click' | 'unsubscribe' | 'bounce' | 'spamreport';
  at: string;
  sgEventId: string;
  url?: string;
}

/** One SendGrid Event Webhook POST: a JSON array of events about one message to one recipient. */
export function buildSendGrid(input: {
  email: Ident;
  sgMessageId: string;
  campaign: string;
  events: SendGridEventInput[];
}): Built {
  const body = input.events.map((e) => {
    const event: Record<string, unknown> = {
      email: input.email.raw,
      timestamp: unixSeconds(e.at),
      event: e.event,
      sg_event_id: e.sgEventId,
      sg_message_id: input.sgMessageId,
      category: [input.campaign],
      'smtp-id': `<${input.sgMessageId.split('.')[0]}@ismtpd0001p1lon1.sendgrid.net>`,
    };
    if (e.event === 'click' && e.url) event.url = e.url;
    if (e.event === 'open' || e.event === 'click')
      event.useragent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)';
    if (e.event === 'bounce') {
      event.reason = '550 5.1.1 The email account that you tried to reach does not exist.';
      event.type = 'bounce';
    }
    if (e.event === 'unsubscribe') event.asm_group_id = 101;
    return event;
  });
  // every event in the array names the same recipient: one identifier per event
  return {
    body,
    identifiers: input.events.map(() => truthOf(IdTypes.email, input.email)),
    events: input.events.length,
  };
}

export interface ShopifyOrderInput {
  orderId: number;
  orderNumber: number;
  at: string;
  currency: string;
  email: Ident;
  phone?: Ident;
  customer?: { id: Ident; firstName: string; lastName: string; acceptsMarketing: boolean };
  address: Address;
  firstName: string;
  lastName: string;
  items: Array<{ product: Product; quantity: number }>;
  lineItemIdBase: number;
}

const money = (n: number): string => n.toFixed(2);

/** A Shopify `orders/create` webhook body (the subset of fields a CDP reads, in Shopify's shape). */
export function buildShopifyOrder(input: ShopifyOrderInput): Built {
  const identifiers = [truthOf(IdTypes.email, input.email)];
  const subtotal = input.items.reduce((sum, i) => sum + i.product.price * i.quantity, 0);
  const tax = Math.round(subtotal * 0.08 * 100) / 100;
  const address = {
    first_name: input.firstName,
    last_name: input.lastName,
    address1: input.address.line1,
    city: input.address.city,
    zip: input.address.postalCode,
    country_code: input.address.country,
    phone: input.phone ? input.phone.raw : null,
  };
  const body: Record<string, unknown> = {
    id: input.orderId,
    admin_graphql_api_id: `gid://shopify/Order/${input.orderId}`,
    name: `#${input.orderNumber}`,
    order_number: input.orderNumber,
    created_at: input.at,
    processed_at: input.at,
    currency: input.currency,
    email: input.email.raw,
    contact_email: input.email.raw,
    phone: input.phone ? input.phone.raw : null,
    financial_status: 'paid',
    subtotal_price: money(subtotal),
    total_tax: money(tax),
    total_price: money(subtotal + tax),
    buyer_accepts_marketing: input.customer?.acceptsMarketing ?? false,
    line_items: input.items.map((item, i) => ({
      id: input.lineItemIdBase + i,
      sku: item.product.sku,
      title: item.product.name,
      quantity: item.quantity,
      price: money(item.product.price),
    })),
    billing_address: address,
    shipping_address: address,
    customer: input.customer
      ? {
          id: Number(input.customer.id.raw),
          email: input.email.raw,
          phone: input.phone ? input.phone.raw : null,
          first_name: input.customer.firstName,
          last_name: input.customer.lastName,
          accepts_marketing: input.customer.acceptsMarketing,
        }
      : null,
  };
  if (input.phone) identifiers.push(truthOf(IdTypes.phone, input.phone));
  if (input.customer) identifiers.push(truthOf(IdTypes.shopifyCustomerId, input.customer.id));
  return { body, identifiers, events: 1 };
}

export interface PosInput {
  transactionId: string;
  at: string;
  storeId: string;
  country: string;
  currency: string;
  items: Array<{ product: Product; quantity: number }>;
  loyaltyId?: Ident;
  cardToken?: Ident;
  phone?: Ident;
  email?: Ident;
  firstName?: string;
  lastName?: string;
}

/** A till transaction as a POS system exports it: ids from the loyalty card and the payment terminal. */
export function buildPos(input: PosInput): Built {
  const identifiers = [];
  const customer: Record<string, unknown> = {};
  if (input.loyaltyId) {
    customer.loyaltyId = input.loyaltyId.raw;
    identifiers.push(truthOf(IdTypes.loyaltyId, input.loyaltyId));
  }
  if (input.phone) {
    customer.phone = input.phone.raw;
    identifiers.push(truthOf(IdTypes.phone, input.phone));
  }
  if (input.email) {
    customer.email = input.email.raw;
    identifiers.push(truthOf(IdTypes.email, input.email));
  }
  if (input.firstName) customer.firstName = input.firstName;
  if (input.lastName) customer.lastName = input.lastName;
  const total = input.items.reduce((sum, i) => sum + i.product.price * i.quantity, 0);
  const body: Record<string, unknown> = {
    transactionId: input.transactionId,
    storeId: input.storeId,
    occurredAt: input.at,
    country: input.country,
    currency: input.currency,
    total: Math.round(total * 100) / 100,
    items: input.items.map((i) => ({
      sku: i.product.sku,
      name: i.product.name,
      quantity: i.quantity,
      unitPrice: i.product.price,
    })),
    customer,
  };
  if (input.cardToken) {
    body.payment = { method: 'card', cardToken: input.cardToken.raw };
    identifiers.push(truthOf(IdTypes.cardToken, input.cardToken));
  }
  return { body, identifiers, events: 1 };
}

export interface SocialInput {
  eventId: string;
  at: string;
  network: SocialNetwork;
  socialId: Ident;
  handle: Ident;
  interaction?: 'like' | 'comment' | 'follow' | 'share';
  lead?: { formId: string; email?: Ident; phone?: Ident; firstName: string; lastName: string };
}

/** A social interaction or a lead-ad form submission, as social platforms' webhooks deliver them. */
export function buildSocial(input: SocialInput): Built {
  const identifiers = [
    truthOf(IdTypes.socialHandle(input.network), input.handle),
    truthOf(IdTypes.socialId(input.network), input.socialId),
  ];
  const body: Record<string, unknown> = {
    eventId: input.eventId,
    network: input.network,
    occurredAt: input.at,
    user: { id: input.socialId.raw, handle: input.handle.raw },
  };
  if (input.lead) {
    body.type = 'lead';
    const fields: Record<string, string> = {
      first_name: input.lead.firstName,
      last_name: input.lead.lastName,
    };
    if (input.lead.email) {
      fields.email = input.lead.email.raw;
      identifiers.push(truthOf(IdTypes.email, input.lead.email));
    }
    if (input.lead.phone) {
      fields.phone_number = input.lead.phone.raw;
      identifiers.push(truthOf(IdTypes.phone, input.lead.phone));
    }
    body.lead = { formId: input.lead.formId, fields };
  } else {
    body.type = 'interaction';
    body.interaction = { kind: input.interaction ?? 'like', postId: `post_${input.eventId.slice(0, 8)}` };
  }
  return { body, identifiers, events: 1 };
}

export interface CrmInput {
  eventId: string;
  contactId: Ident;
  at: string;
  email?: Ident;
  phone?: Ident;
  firstName: string;
  lastName: string;
  address: Address;
  emailOptIn: boolean;
}

/** A CRM contact upsert (what a CRM's outbound webhook sends when a contact is created or edited). */
export function buildCrm(input: CrmInput): Built {
  const identifiers = [truthOf(IdTypes.crmContactId, input.contactId)];
  const body: Record<string, unknown> = {
    eventId: input.eventId,
    contactId: input.contactId.raw,
    updatedAt: input.at,
    firstName: input.firstName,
    lastName: input.lastName,
    address: {
      street: input.address.line1,
      city: input.address.city,
      postalCode: input.address.postalCode,
      country: input.address.country,
    },
    emailOptIn: input.emailOptIn,
  };
  if (input.email) {
    body.email = input.email.raw;
    identifiers.push(truthOf(IdTypes.email, input.email));
  }
  if (input.phone) {
    body.phone = input.phone.raw;
    identifiers.push(truthOf(IdTypes.phone, input.phone));
  }
  return { body, identifiers, events: 1 };
}
