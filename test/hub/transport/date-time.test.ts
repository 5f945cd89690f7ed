import { dateTimeMs, isoDateTime, parseOcpiDateTime } from '../../../src/core/date-time';
import { seededRandom } from '../../../src/core/seeded-random';

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

// dateTimeMs reads the plain UTC form itself (pricing reads several per CDR); it must answer exactly what
// Date.parse answers, for the edges of the calendar and clock and for forms it leaves to Date.parse.
describe('dateTimeMs', () => {
  const byDateParse = (value: string) => Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value}Z`);
  const same = (value: string) => {
    const ms = dateTimeMs(value);
    return Number.isNaN(ms) ? Number.isNaN(byDateParse(value)) : ms === byDateParse(value);
  };

  it('answers what Date.parse answers across calendar and clock edges', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const differing: string[] = [];
    for (const year of [0, 100, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          for (const [h, m, s] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [12, 60, 0], [12, 0, 60]]) {
            const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(h)}:${pad(m)}:${pad(s)}`;
            for (const form of [`${text}Z`, `${text}.123Z`, `${text}.12Z`, `${text}.1234Z`, text, `${text}+01:00`, `${text}z`]) if (!same(form)) differing.push(form);
          }
        }
      }
    }
    expect(differing).toEqual([]);
  });

  it.each(['2024-03-01T06:00:00.0a0Z', '2024-03-01T06:00:00x000Z', '2024-3-01T06:00:00.000Z', '20a4-03-01T06:00:00Z', '2024-03-01t06:00:00Z', '+02024-03-01T06:00:00Z', '2024-03-01T06:00:00.-12Z', '2024-03-01 06:00:00.000Z', ''])(
    'answers what Date.parse answers for %j',
    (text) => {
      expect(same(text)).toBe(true);
    },
  );

  it('reads every millisecond form toISOString writes', () => {
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor((i * 2_654_435_761) % 4_102_444_800_000);
      const iso = new Date(ms).toISOString();
      expect(dateTimeMs(iso)).toBe(ms);
      expect(dateTimeMs(iso.replace(/\.\d{3}Z$/, 'Z'))).toBe(ms - (ms % 1000));
    }
  });
});

describe('date-times without a Date (the pricing path)', () => {
  // Every day from 1970 to 9999 at a varying time of day, and seeded instants: the integer arithmetic
  // must give exactly what Date gives.
  const instants: number[] = [0, 951_782_400_000, 951_868_799_999, 253_402_300_799_999];
  const random = seededRandom(1970);
  for (let day = 0; day < 2_932_897; day += 7) instants.push(day * 86_400_000 + Math.floor(random() * 86_400_000));

  it('isoDateTime writes what toISOString writes', () => {
    const differing = instants.filter((ms) => isoDateTime(ms) !== new Date(ms).toISOString());
    expect(differing).toEqual([]);
    // Outside 1970–9999 it is Date's own text, or Date's RangeError.
    expect(isoDateTime(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoDateTime(253_402_300_800_000)).toBe('+010000-01-01T00:00:00.000Z');
    expect(() => isoDateTime(Number.NaN)).toThrow(RangeError);
  });

  it('dateTimeMs reads YYYY-MM-DDTHH:MM:SS(.mmm)Z as Date.parse does', () => {
    const differing = instants.flatMap((ms) => {
      const iso = new Date(ms).toISOString();
      return [iso, `${iso.slice(0, 19)}Z`].filter((text) => dateTimeMs(text) !== Date.parse(text));
    });
    expect(differing).toEqual([]);
  });
});
