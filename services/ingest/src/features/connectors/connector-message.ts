import type { ConsentSignal, SegmentMessage } from '@tessera/contracts';

/** What a connector makes of a vendor payload: Segment-shaped messages plus consent signals. */
export interface ConnectorMessage {
  message: SegmentMessage;
  consentSignals?: ConsentSignal[];
}

/**
 * Identifier types the connectors emit (as `context.externalIds[].type`). One place, so identity
 * rules and lookups agree with what connectors send.
 */
export const ConnectorIdTypes = {
  ecommerceCustomerId: 'ecommerce_customer_id',
  loyaltyId: 'loyalty_id',
  posCardToken: 'pos_card_token',
  crmId: 'crm_id',
  /** Social handle: the type is the platform (`instagram`); the platform's user id is `<platform>_id`. */
  socialHandle: (platform: string) => platform,
  socialUserId: (platform: string) => `${platform}_id`,
} as const;

export const externalId = (type: string, id: string | number) => ({
  id: String(id),
  type,
  collection: 'users',
  encoding: 'none',
});

/** Drops undefined/null/empty-string values so traits only assert what the vendor sent. */
export function compact(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}
