import { z } from 'zod';

/**
 * SendGrid Event Webhook: a POST whose body is a JSON array of events
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event). Every event
 * carries `email`, `timestamp` (unix seconds), `event`, `sg_event_id`, `sg_message_id`; others
 * depend on the event type. Unknown fields pass through.
 */
export const SendGridEventTypeSchema = z.enum([
  'processed',
  'dropped',
  'delivered',
  'deferred',
  'bounce',
  'open',
  'click',
  'spamreport',
  'unsubscribe',
  'group_unsubscribe',
  'group_resubscribe',
]);

export const SendGridEventSchema = z
  .object({
    email: z.string().min(1).max(320),
    timestamp: z.number().int().nonnegative(),
    event: SendGridEventTypeSchema,
    sg_event_id: z.string().min(1).max(200),
    sg_message_id: z.string().max(300).optional(),
    'smtp-id': z.string().max(300).optional(),
    category: z.union([z.string(), z.array(z.string())]).optional(),
    url: z.string().max(4096).optional(),
    useragent: z.string().max(1024).optional(),
    ip: z.string().max(64).optional(),
    reason: z.string().max(2048).optional(),
    status: z.string().max(32).optional(),
    type: z.string().max(32).optional(),
    asm_group_id: z.number().int().optional(),
    marketing_campaign_id: z.union([z.number(), z.string()]).optional(),
    marketing_campaign_name: z.string().optional(),
  })
  .passthrough();
export type SendGridEvent = z.infer<typeof SendGridEventSchema>;

export const SendGridWebhookSchema = z.array(SendGridEventSchema).min(1).max(5000);
