import {
  CrmContactSchema,
  PosTransactionSchema,
  SendGridWebhookSchema,
  ShopifyOrderSchema,
  SocialEventSchema,
} from '@tessera/contracts';
import type { z } from 'zod';
import { generateWorld } from '../world/generate-world';
import type { Route } from '../world/model';

const schemas: Partial<Record<Route, z.ZodType>> = {
  sendgrid: SendGridWebhookSchema,
  shopify: ShopifyOrderSchema,
  pos: PosTransactionSchema,
  social: SocialEventSchema,
  crm: CrmContactSchema,
};

describe('connector payloads', () => {
  it('every generated connector payload should parse with the contract of its connector', () => {
    const world = generateWorld({ seed: 5, persons: 150 });
    const connectorMessages = world.messages.filter((m) => m.route !== 'web' && m.route !== 'app');
    const failures = connectorMessages.flatMap((m) => {
      const result = schemas[m.route]!.safeParse(m.body);
      return result.success ? [] : [{ id: m.id, route: m.route, issues: result.error.issues }];
    });
    expect(failures).toEqual([]);
    expect(new Set(connectorMessages.map((m) => m.route))).toEqual(new Set(Object.keys(schemas)));
  });
});
