import { z } from 'zod';
import { UUID_PATTERN } from './ids';

export const UuidSchema = z.string().regex(UUID_PATTERN, 'must be a lower-case UUID');
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });
export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/** Where an event came from. One source (with its write key) has exactly one channel. */
export const ChannelSchema = z.enum([
  'web',
  'app',
  'server',
  'email',
  'ecommerce',
  'pos',
  'social',
  'crm',
  'import',
  'kafka',
]);
export type Channel = z.infer<typeof ChannelSchema>;

/** Segment's call types; every canonical event is one of them. */
export const EventTypeSchema = z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']);
export type EventType = z.infer<typeof EventTypeSchema>;

/** Track event names with platform-wide meaning (Segment's e-commerce spec). */
export const WellKnownEvents = {
  orderCompleted: 'Order Completed',
  emailDelivered: 'Email Delivered',
  emailOpened: 'Email Opened',
  emailLinkClicked: 'Email Link Clicked',
  emailBounced: 'Email Bounced',
  unsubscribed: 'Unsubscribed',
  emailMarkedAsSpam: 'Email Marked as Spam',
} as const;
