import type { Phone } from './noise';
import type { SocialNetwork } from './vocabulary';

/** Where a message goes: a Segment source (web/app) or one of the channel connectors. */
export const Routes = ['web', 'app', 'sendgrid', 'shopify', 'pos', 'social', 'crm'] as const;
export type Route = (typeof Routes)[number];

/**
 * Identifier types as the platform names them. Segment ids and contact points are core types;
 * the rest are the types ingest's connectors map vendor ids to (services/ingest connector-message.ts).
 */
export const IdTypes = {
  userId: 'user_id',
  anonymousId: 'anonymous_id',
  email: 'email',
  phone: 'phone',
  loyaltyId: 'loyalty_id',
  cardToken: 'pos_card_token',
  shopifyCustomerId: 'ecommerce_customer_id',
  crmContactId: 'crm_id',
  /** The network's stable user id. */
  socialId: (network: string): string => `${network}_id`,
  /** The handle (renameable): its type is the network itself. */
  socialHandle: (network: string): string => network,
} as const;

export interface Address {
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface Device {
  anonymousId: string;
  kind: 'desktop' | 'phone' | 'tablet';
  /** App installs send `screen` through the app source; browsers send `page` through the web source. */
  surface: 'web' | 'app';
  /** A household device several members use. */
  shared: boolean;
}

export interface Person {
  personId: string;
  householdId: string;
  firstName: string;
  lastName: string;
  country: Phone['country'];
  /** Email history: a person may change address; `sinceDay` is the day of the world it became current. */
  emails: Array<{ address: string; sinceDay: number }>;
  mobile?: Phone;
  addresses: Array<{ address: Address; sinceDay: number }>;
  /** Account id on the website/app once signed up. */
  userId?: string;
  devices: Device[];
  loyaltyId?: string;
  cardTokens: string[];
  shopifyCustomerId?: string;
  crmContactId?: string;
  social?: { network: SocialNetwork; id: string; handle: string };
  /** Gives `0000000000` / `test@test.com` at the till or in forms now and then. */
  givesJunk: boolean;
  /** Unsubscribes from marketing email at some point. */
  unsubscribes: boolean;
}

export interface Household {
  householdId: string;
  address: Address;
  landline?: Phone;
  sharedDevice?: Device;
  memberIds: string[];
}

/** Who an identifier belongs to: one person, several (household device, landline), or nobody (junk). */
export type IdentifierOwner = 'person' | 'shared' | 'junk';

/** One identifier as carried by one message, with what it really is. */
export interface TruthIdentifier {
  type: string;
  /** Exactly as it appears in the payload. */
  raw: string;
  /** What a correct normalizer stores: trimmed lower-case email, E.164 phone, ids unchanged. */
  value: string;
  owner: IdentifierOwner;
  /** Persons a shared identifier belongs to (household members). */
  sharedBy?: string[];
}

/** Ground truth for one sent message. */
export interface TruthRecord {
  /** Message key (Segment messageId or the connector's own id). */
  id: string;
  seq: number;
  route: Route;
  personId: string;
  /** Segment call type or connector event kind, for reports. */
  kind: string;
  at: string;
  /** Events the platform should derive from this message (a SendGrid array carries several). */
  events: number;
  identifiers: TruthIdentifier[];
}

/** One message ready to send. */
export interface WorldMessage {
  id: string;
  seq: number;
  route: Route;
  /** Segment call type (`identify`, `track`…) for web/app; the connector name otherwise. */
  kind: string;
  at: string;
  body: unknown;
}

export interface World {
  seed: number;
  persons: Person[];
  households: Household[];
  messages: WorldMessage[];
  truth: TruthRecord[];
}
