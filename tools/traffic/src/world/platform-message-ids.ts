import type { WorldMessage } from './model';

type Obj = Record<string, unknown>;
const field = (body: unknown, key: string): string => String((body as Obj)[key]);

/**
 * The messageIds ingest gives the events it derives from a message (its connectors' mappers prefix
 * the vendor's id), so what identity reports about an event (merges, refusals) can be traced back
 * to the message and person that caused it.
 */
export function platformMessageIds(message: WorldMessage): string[] {
  const b = message.body;
  switch (message.route) {
    case 'web':
    case 'app':
      return [field(b, 'messageId')];
    case 'pos':
      return [`pos:${field(b, 'storeId')}:${field(b, 'transactionId')}`];
    case 'shopify':
      return [`shopify:order:${field(b, 'id')}`];
    case 'sendgrid':
      return (b as Obj[]).map((e) => `sendgrid:${String(e.sg_event_id)}`);
    case 'social':
      return [`${field(b, 'network')}:${field(b, 'eventId')}`];
    case 'crm':
      return [`crm:${field(b, 'eventId')}`];
  }
}
