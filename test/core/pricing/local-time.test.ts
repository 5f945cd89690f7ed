/** UTC to the Location's wall clock with Intl only, memoised per zone. */
import fc from 'fast-check';
import {
  clockFor,
  dayNumberOfDate,
  isValidTimeZone,
  localDayNumber,
  localMinuteOfDay,
  minuteOfTime,
  TimeZoneClock,
  weekdayOfDay,
} from '../../../src/core/pricing/local-time';
import { dateTimeMs as parseDateTime } from '../../../src/core/date-time';

/** The wall clock Intl reports, read the slow way, as "YYYY-MM-DD HH:MM". */
function intlWallClock(timeZone: string, utcMs: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(utcMs);
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

function engineWallClock(clock: TimeZoneClock, utcMs: number): string {
  const local = utcMs + clock.offsetAt(utcMs);
  const date = new Date(localDayNumber(local) * 86_400_000).toISOString().slice(0, 10);
  const minute = localMinuteOfDay(local);
  return `${date} ${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];

describe('TimeZoneClock', () => {
  it('agrees with Intl at any instant, in zones with odd offsets and half-hour DST', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), (zone, utcMs) => {
        expect(engineWallClock(clockFor(zone), utcMs)).toBe(intlWallClock(zone, utcMs));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Intl on both sides of every DST change of a year', () => {
    const clock = clockFor('Europe/Berlin');
    const changes = clock.offsetChanges(Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1));
    expect(changes.map((ms) => new Date(ms).toISOString())).toEqual(['2024-03-31T01:00:00.000Z', '2024-10-27T01:00:00.000Z']);
    for (const change of changes) {
      for (const at of [change - 1, change]) expect(engineWallClock(clock, at)).toBe(intlWallClock('Europe/Berlin', at));
    }
  });

  it('finds no change in a short span without one', () => {
    expect(clockFor('Europe/Berlin').offsetChanges(Date.UTC(2024, 5, 1), Date.UTC(2024, 5, 2))).toEqual([]);
  });

  it('knows which names are time zones', () => {
    expect(isValidTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isValidTimeZone('Europe/Atlantis')).toBe(false);
  });
});

describe('calendar helpers', () => {
  it('counts weekdays from Monday = 0', () => {
    expect(weekdayOfDay(dayNumberOfDate('2024-01-08'))).toBe(0); // a Monday
    expect(weekdayOfDay(dayNumberOfDate('2024-01-07'))).toBe(6); // a Sunday
    expect(weekdayOfDay(dayNumberOfDate('1969-12-31'))).toBe(2); // a Wednesday, before the epoch
  });

  it('reads times of day and DateTimes', () => {
    expect(minuteOfTime('13:30')).toBe(810);
    expect(parseDateTime('2015-06-29T20:39:09')).toBe(Date.UTC(2015, 5, 29, 20, 39, 9));
    expect(parseDateTime('2016-12-29T17:45:09.2Z')).toBe(Date.UTC(2016, 11, 29, 17, 45, 9, 200));
  });
});
