import { WellKnownEvents, type PosTransaction } from '@tessera/contracts';
import { ConnectorIdTypes, compact, externalId, type ConnectorMessage } from './connector-message';

/**
 * A till transaction → `Order Completed` on the pos channel. Identity comes from whatever the till
 * captured: loyalty id, the payment terminal's card token (a tokenized PAN, never the number), a
 * phone or email typed at the counter. The transaction id is the messageId.
 */
export function mapPosTransaction(tx: PosTransaction): ConnectorMessage[] {
  const c = tx.customer ?? {};
  const externalIds = [
    ...(c.loyaltyId ? [externalId(ConnectorIdTypes.loyaltyId, c.loyaltyId)] : []),
    ...(tx.payment?.cardToken ? [externalId(ConnectorIdTypes.posCardToken, tx.payment.cardToken)] : []),
  ];
  return [
    {
      message: {
        type: 'track',
        messageId: `pos:${tx.storeId}:${tx.transactionId}`,
        event: WellKnownEvents.orderCompleted,
        timestamp: tx.occurredAt,
        context: compact({
          traits: compact({ email: c.email, phone: c.phone, firstName: c.firstName, lastName: c.lastName }),
          externalIds: externalIds.length > 0 ? externalIds : undefined,
          location: compact({ country: tx.country }),
          integration: { name: 'pos' },
        }),
        properties: compact({
          order_id: tx.transactionId,
          store_id: tx.storeId,
          register_id: tx.registerId,
          receipt_id: tx.receiptId,
          total: tx.total,
          revenue: tx.total,
          currency: tx.currency,
          payment_method: tx.payment?.method,
          products: tx.items.map((i) =>
            compact({ sku: i.sku, name: i.name, quantity: i.quantity, price: i.unitPrice }),
          ),
        }),
      },
    },
  ];
}
