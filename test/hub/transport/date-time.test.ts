import { parseOcpiDateTime } from '../../../src/core/date-time';

describe('parseOcpiDateTime', () => {
  it.each([
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2024-03-01T00:00:00', '2024-03-01T00:00:00.000Z'],
    ['2024-03-01T01:00:00+01:00', '2024-03-01T00:00:00.000Z'],
    ['2015-06-29T20:39:09.123456Z', '2015-06-29T20:39:09.123Z'],
  ])('reads %s', (text, iso) => {
    expect(parseOcpiDateTime(text)?.toISOString()).toBe(iso);
  });

  // JavaScript's Date reads 2024-02-30 as March 1st; the fuzz tests found the hub accepting it.
  it.each(['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01', 'yesterday', ''])(
    'refuses %s',
    (text) => {
      expect(parseOcpiDateTime(text)).toBeUndefined();
    },
  );
});
