import { addCalendarMonthsUtc, daysRemaining, extendedDeadline, statutoryDeadline } from './deadlines';

describe('statutoryDeadline', () => {
  const received = new Date('2026-01-31T10:00:00Z');

  it('statutoryDeadline should give GDPR one calendar month clamped to the month end', () => {
    expect(statutoryDeadline('gdpr', received).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(statutoryDeadline('gdpr', new Date('2026-03-15T00:00:00Z')).toISOString()).toBe(
      '2026-04-15T00:00:00.000Z',
    );
    expect(addCalendarMonthsUtc(new Date('2026-12-31T00:00:00Z'), 2).toISOString()).toBe(
      '2027-02-28T00:00:00.000Z',
    );
  });

  it('statutoryDeadline should give CCPA 45 days and LGPD 15 days', () => {
    expect(statutoryDeadline('ccpa', received).toISOString()).toBe('2026-03-17T10:00:00.000Z');
    expect(statutoryDeadline('lgpd', received).toISOString()).toBe('2026-02-15T10:00:00.000Z');
  });

  it('extendedDeadline should allow GDPR three months, CCPA 90 days and LGPD no extension', () => {
    expect(extendedDeadline('gdpr', received).toISOString()).toBe('2026-04-30T10:00:00.000Z');
    expect(extendedDeadline('ccpa', received).toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(extendedDeadline('lgpd', received).getTime()).toBe(statutoryDeadline('lgpd', received).getTime());
  });

  it('daysRemaining should be negative when overdue', () => {
    expect(daysRemaining(new Date('2026-01-10T00:00:00Z'), new Date('2026-01-12T00:00:00Z'))).toBe(-2);
    expect(daysRemaining(new Date('2026-01-10T00:00:00Z'), new Date('2026-01-08T12:00:00Z'))).toBe(1);
  });
});
