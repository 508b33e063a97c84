import type { SocialEvent } from '@tessera/contracts';
import { ConnectorIdTypes, compact, externalId, type ConnectorMessage } from './connector-message';

/**
 * A social interaction → track `Social <Kind>`; a lead-form submission → identify with the form's
 * fields as traits. The handle is an identifier whose type is the platform (`instagram`), the
 * platform's stable user id is `<platform>_id` (handles can be renamed; ids cannot).
 */
export function mapSocialEvent(e: SocialEvent): ConnectorMessage[] {
  const externalIds = [
    ...(e.user.handle ? [externalId(ConnectorIdTypes.socialHandle(e.network), e.user.handle)] : []),
    ...(e.user.id !== undefined ? [externalId(ConnectorIdTypes.socialUserId(e.network), e.user.id)] : []),
  ];
  const context = { externalIds, integration: { name: e.network } };
  if (e.type === 'lead' && e.lead) {
    const f = e.lead.fields;
    const traits = compact({
      ...f,
      email: f.email,
      phone: f.phone_number ?? f.phone,
      firstName: f.first_name,
      lastName: f.last_name,
      first_name: undefined,
      last_name: undefined,
      phone_number: undefined,
    });
    return [
      {
        message: {
          type: 'identify',
          messageId: `${e.network}:${e.eventId}`,
          timestamp: e.occurredAt,
          traits,
          context: { ...context, traits: compact({ email: traits.email, phone: traits.phone }) },
          integrations: {},
          ...{ properties: { lead_form_id: e.lead.formId } },
        },
      },
    ];
  }
  const kind = e.interaction?.kind ?? 'interaction';
  return [
    {
      message: {
        type: 'track',
        messageId: `${e.network}:${e.eventId}`,
        event: `Social ${kind.charAt(0).toUpperCase()}${kind.slice(1)}`,
        timestamp: e.occurredAt,
        context,
        properties: compact({ network: e.network, interaction: kind, post_id: e.interaction?.postId }),
      },
    },
  ];
}
