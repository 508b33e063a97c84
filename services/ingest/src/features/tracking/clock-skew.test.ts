import { correctTimestamp } from './clock-skew';

const receivedAt = new Date('2026-03-01T12:00:10.000Z');

describe('correctTimestamp', () => {
  it('correctTimestamp should remove a device clock that runs an hour fast', () => {
    // happened 5s before sending, but the device clock is +1h
    const out = correctTimestamp(
      { originalTimestamp: '2026-03-01T13:00:00.000Z', sentAt: '2026-03-01T13:00:05.000Z' },
      receivedAt,
    );
    expect(out.toISOString()).toBe('2026-03-01T12:00:05.000Z');
  });

  it('correctTimestamp should use timestamp when originalTimestamp is absent', () => {
    const out = correctTimestamp(
      { timestamp: '2026-03-01T11:00:00.000Z', sentAt: '2026-03-01T11:00:02.000Z' },
      receivedAt,
    );
    expect(out.toISOString()).toBe('2026-03-01T12:00:08.000Z');
  });

  it('correctTimestamp should keep the device time without sentAt and use receivedAt without any time', () => {
    expect(correctTimestamp({ timestamp: '2026-02-01T00:00:00+01:00' }, receivedAt).toISOString()).toBe(
      '2026-01-31T23:00:00.000Z',
    );
    expect(correctTimestamp({}, receivedAt)).toEqual(receivedAt);
  });

  it('correctTimestamp should clamp a sentAt earlier than the event to receivedAt', () => {
    const out = correctTimestamp(
      { timestamp: '2026-03-01T12:00:00.000Z', sentAt: '2026-03-01T11:00:00.000Z' },
      receivedAt,
    );
    expect(out).toEqual(receivedAt);
  });
});
