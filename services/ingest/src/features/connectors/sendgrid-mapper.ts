import { WellKnownEvents, type ConsentSignal, type SendGridEvent } from '@tessera/contracts';
import { compact, type ConnectorMessage } from './connector-message';

const EVENT_NAMES: Record<SendGridEvent['event'], string> = {
  processed: 'Email Processed',
  dropped: 'Email Dropped',
  delivered: WellKnownEvents.emailDelivered,
  deferred: 'Email Deferred',
  bounce: WellKnownEvents.emailBounced,
  open: WellKnownEvents.emailOpened,
  click: WellKnownEvents.emailLinkClicked,
  spamreport: WellKnownEvents.emailMarkedAsSpam,
  unsubscribe: WellKnownEvents.unsubscribed,
  group_unsubscribe: WellKnownEvents.unsubscribed,
  group_resubscribe: 'Resubscribed',
};

/** An unsubscribe withdraws email marketing consent; a spam report is a denial (stronger, and audited as such). */
function consentOf(event: SendGridEvent): ConsentSignal[] {
  switch (event.event) {
    case 'unsubscribe':
    case 'group_unsubscribe':
      return [{ purpose: 'email_marketing', status: 'withdrawn', reason: 'esp_unsubscribe' }];
    case 'spamreport':
      return [{ purpose: 'email_marketing', status: 'denied', reason: 'esp_spamreport' }];
    case 'group_resubscribe':
      return [{ purpose: 'email_marketing', status: 'granted', reason: 'esp_resubscribe' }];
    default:
      return [];
  }
}

/**
 * One track call per SendGrid event. `sg_event_id` is unique per event and stable across
 * SendGrid's webhook retries, so it is the messageId (deduplication); `sg_message_id` ties the
 * events of one email together and is kept as a property.
 */
export function mapSendGrid(events: SendGridEvent[]): ConnectorMessage[] {
  return events.map((e) => {
    const categories =
      e.category === undefined ? undefined : Array.isArray(e.category) ? e.category : [e.category];
    const consentSignals = consentOf(e);
    return {
      message: {
        type: 'track',
        messageId: `sendgrid:${e.sg_event_id}`,
        event: EVENT_NAMES[e.event],
        timestamp: new Date(e.timestamp * 1000).toISOString(),
        context: compact({
          traits: { email: e.email },
          ip: e.ip,
          userAgent: e.useragent,
          integration: { name: 'sendgrid' },
        }),
        properties: compact({
          email_id: e.sg_message_id,
          sendgrid_event: e.event,
          categories,
          link_url: e.url,
          reason: e.reason,
          status: e.status,
          bounce_type: e.type,
          asm_group_id: e.asm_group_id,
          campaign_id: e.marketing_campaign_id,
          campaign_name: e.marketing_campaign_name,
        }),
      },
      ...(consentSignals.length > 0 ? { consentSignals } : {}),
    };
  });
}
