import { formatDurationMs, formatTable, parseNonNegativeInt, parsePositiveInt, splitList } from './format';

describe('formatTable', () => {
  it('formatTable should align columns under their headers and show missing cells as -', () => {
    const text = formatTable(
      ['NAME', 'N', 'NOTE'],
      [
        ['a', 1, 'first'],
        ['longer-name', null, undefined],
      ],
    );
    expect(text.split('\n')).toEqual(['NAME         N  NOTE', 'a            1  first', 'longer-name  -  -']);
  });

  it('formatTable should print only the header for no rows', () => {
    expect(formatTable(['A', 'B'], [])).toBe('A  B');
  });
});

describe('formatDurationMs', () => {
  it.each([
    ['604800000', '7d'],
    ['2592000000', '30d'],
    ['3600000', '1h'],
    ['90000', '90s'],
    ['1500', '1500ms'],
    ['-1', 'forever'],
    [undefined, '-'],
    ['abc', 'abc'],
  ])('formatDurationMs should render %s as %s', (input, expected) => {
    expect(formatDurationMs(input)).toBe(expected);
  });
});

describe('argument parsers', () => {
  it('splitList should trim parts and drop empty ones', () => {
    expect(splitList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
  });

  it('parsePositiveInt should accept whole positive numbers and reject the rest', () => {
    expect(parsePositiveInt('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'x', ''])
      expect(() => parsePositiveInt(bad)).toThrow(/positive integer/);
  });

  it('parseNonNegativeInt should accept zero', () => {
    expect(parseNonNegativeInt('0')).toBe(0);
    expect(() => parseNonNegativeInt('-2')).toThrow(/non-negative/);
  });
});
