import { computeLag } from './lag-monitor';

describe('computeLag', () => {
  it('computeLag should count from the committed offset to the high watermark', () => {
    expect(computeLag('100', '40', '0')).toBe(60);
    expect(computeLag('100', '100', '0')).toBe(0);
  });

  it('computeLag should count from the log start when nothing is committed', () => {
    expect(computeLag('100', '-1', '30')).toBe(70);
  });

  it('computeLag should never be negative', () => {
    expect(computeLag('5', '9', '0')).toBe(0);
  });
});
