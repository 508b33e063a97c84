export interface TimestampInput {
  timestamp?: string | undefined;
  originalTimestamp?: string | undefined;
  sentAt?: string | undefined;
}

/**
 * Segment's clock-skew correction: a device's clock may be wrong, but the gap between when the
 * event happened and when it was sent is measured on the same clock. So
 * `timestamp = receivedAt − (sentAt − (originalTimestamp ?? timestamp))`.
 * Without `sentAt` the device time is taken as is; without any device time, `receivedAt`.
 * A result later than `receivedAt` (sentAt before the event: a broken client) is clamped to it.
 */
export function correctTimestamp(input: TimestampInput, receivedAt: Date): Date {
  const base = input.originalTimestamp ?? input.timestamp;
  if (base === undefined) return receivedAt;
  const happened = Date.parse(base);
  if (input.sentAt === undefined) return new Date(happened);
  const corrected = receivedAt.getTime() - (Date.parse(input.sentAt) - happened);
  return new Date(Math.min(corrected, receivedAt.getTime()));
}
