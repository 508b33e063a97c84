/** Jurisdictions whose statutory response deadline the service tracks. */
export const Jurisdictions = ['gdpr', 'ccpa', 'lgpd'] as const;
export type Jurisdiction = (typeof Jurisdictions)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The statutory deadline for answering a request received at `receivedAt`:
 * GDPR Art. 12(3) one month (same day next month, clamped to the month's last day);
 * CCPA §1798.130 45 days; LGPD Art. 19 15 days. Extensions are recorded separately.
 */
export function statutoryDeadline(jurisdiction: Jurisdiction, receivedAt: Date): Date {
  switch (jurisdiction) {
    case 'gdpr':
      return addCalendarMonthsUtc(receivedAt, 1);
    case 'ccpa':
      return new Date(receivedAt.getTime() + 45 * DAY_MS);
    case 'lgpd':
      return new Date(receivedAt.getTime() + 15 * DAY_MS);
  }
}

/** Allowed extensions: GDPR two further months, CCPA another 45 days, LGPD none. */
export function extendedDeadline(jurisdiction: Jurisdiction, receivedAt: Date): Date {
  switch (jurisdiction) {
    case 'gdpr':
      return addCalendarMonthsUtc(receivedAt, 3);
    case 'ccpa':
      return new Date(receivedAt.getTime() + 90 * DAY_MS);
    case 'lgpd':
      return statutoryDeadline('lgpd', receivedAt);
  }
}

export function addCalendarMonthsUtc(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = new Date(date.getTime());
  result.setUTCDate(1);
  result.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay));
  return result;
}

/** Days left (negative when overdue), rounded down, for status reports. */
export function daysRemaining(dueAt: Date, now: Date): number {
  return Math.floor((dueAt.getTime() - now.getTime()) / DAY_MS);
}
