import { IdTypes, type Route } from './model';

export interface RawIdentifier {
  type: string;
  raw: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function push(out: RawIdentifier[], type: string, value: unknown): void {
  const s = typeof value === 'number' ? String(value) : str(value);
  if (s !== undefined) out.push({ type, raw: s });
}

/**
 * Reads the identifiers out of a payload as a receiving platform would find them, independently
 * of how the generator built it (tests compare the two; the demo shows them as raw touchpoints).
 */
export function extractIdentifiers(route: Route, body: unknown): RawIdentifier[] {
  const out: RawIdentifier[] = [];
  switch (route) {
    case 'web':
    case 'app': {
      if (!isObj(body)) return out;
      push(out, IdTypes.userId, body.userId);
      push(out, IdTypes.anonymousId, body.anonymousId);
      push(out, IdTypes.anonymousId, body.previousId);
      const ctx = isObj(body.context) ? body.context : {};
      if (Array.isArray(ctx.externalIds))
        for (const e of ctx.externalIds) if (isObj(e)) push(out, String(e.type), e.id);
      const traits = isObj(body.traits) && body.type === 'identify' ? body.traits : {};
      push(out, IdTypes.email, traits.email);
      push(out, IdTypes.phone, traits.phone);
      return out;
    }
    case 'sendgrid':
      if (Array.isArray(body)) for (const e of body) if (isObj(e)) push(out, IdTypes.email, e.email);
      return out;
    case 'shopify': {
      if (!isObj(body)) return out;
      push(out, IdTypes.email, body.email);
      push(out, IdTypes.phone, body.phone);
      if (isObj(body.customer)) push(out, IdTypes.shopifyCustomerId, body.customer.id);
      return out;
    }
    case 'pos': {
      if (!isObj(body)) return out;
      const c = isObj(body.customer) ? body.customer : {};
      push(out, IdTypes.loyaltyId, c.loyaltyId);
      push(out, IdTypes.phone, c.phone);
      push(out, IdTypes.email, c.email);
      if (isObj(body.payment)) push(out, IdTypes.cardToken, body.payment.cardToken);
      return out;
    }
    case 'social': {
      if (!isObj(body)) return out;
      if (isObj(body.user)) {
        push(out, IdTypes.socialHandle(String(body.network)), body.user.handle);
        push(out, IdTypes.socialId(String(body.network)), body.user.id);
      }
      if (isObj(body.lead) && isObj(body.lead.fields)) {
        push(out, IdTypes.email, body.lead.fields.email);
        push(out, IdTypes.phone, body.lead.fields.phone_number);
      }
      return out;
    }
    case 'crm': {
      if (!isObj(body)) return out;
      push(out, IdTypes.crmContactId, body.contactId);
      push(out, IdTypes.email, body.email);
      push(out, IdTypes.phone, body.phone);
      return out;
    }
  }
}
