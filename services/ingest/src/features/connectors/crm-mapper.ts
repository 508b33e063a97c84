import type { ConsentSignal, CrmContact } from '@tessera/contracts';
import { ConnectorIdTypes, compact, externalId, type ConnectorMessage } from './connector-message';

/**
 * A CRM contact upsert → identify with the contact's fields as traits and the CRM id as an
 * external id. The CRM's email opt-in flag becomes an email_marketing consent signal either way
 * (false after true means the contact opted out in the CRM).
 */
export function mapCrmContact(c: CrmContact): ConnectorMessage[] {
  const consentSignals: ConsentSignal[] =
    c.emailOptIn === undefined
      ? []
      : [
          {
            purpose: 'email_marketing',
            status: c.emailOptIn ? 'granted' : 'denied',
            reason: 'crm_opt_in_flag',
          },
        ];
  return [
    {
      message: {
        type: 'identify',
        messageId: `crm:${c.eventId}`,
        timestamp: c.updatedAt,
        traits: compact({
          email: c.email,
          phone: c.phone,
          firstName: c.firstName,
          lastName: c.lastName,
          address: c.address
            ? compact({
                street: c.address.street,
                city: c.address.city,
                state: c.address.region,
                postalCode: c.address.postalCode,
                country: c.address.country,
              })
            : undefined,
        }),
        context: {
          externalIds: [externalId(ConnectorIdTypes.crmId, c.contactId)],
          integration: { name: 'crm' },
        },
      },
      ...(consentSignals.length > 0 ? { consentSignals } : {}),
    },
  ];
}
