import { isValidTimeZone } from '../../../src/core/pricing/local-time';
import {
  lastCompletePeriod,
  latePeriodsFor,
  nextPeriod,
  parsePeriodLabel,
  periodOf,
  periodStartInstant,
  targetPeriod,
  type Period,
} from '../../../src/core/settlement/settlement-core';

const month = (label: string) => parsePeriodLabel(label, 'monthly') as Period;

describe('settlement periods', () => {
  it('puts a CDR in the UTC period of its end_date_time, half-open at the end', () => {
    expect(periodOf('2024-03-31T23:59:59.999Z', 'monthly')).toEqual({ kind: 'monthly', start: '2024-03-01', end: '2024-04-01', label: '2024-03' });
    expect(periodOf('2024-04-01T00:00:00Z', 'monthly').label).toBe('2024-04');
    // A DateTime without a zone is UTC; one with an offset is converted first.
    expect(periodOf('2024-03-31T23:30:00', 'monthly').label).toBe('2024-03');
    expect(periodOf('2024-04-01T01:30:00+02:00', 'monthly').label).toBe('2024-03');
    expect(periodOf('2024-12-31T12:00:00Z', 'monthly').end).toBe('2025-01-01');
  });

  it('knows ISO weeks (Monday to Monday) and days', () => {
    expect(periodOf('2024-03-10T12:00:00Z', 'weekly')).toEqual({ kind: 'weekly', start: '2024-03-04', end: '2024-03-11', label: '2024-03-04' });
    expect(periodOf('2024-03-11T00:00:00Z', 'weekly').start).toBe('2024-03-11');
    expect(periodOf('2024-02-29T08:00:00Z', 'daily')).toEqual({ kind: 'daily', start: '2024-02-29', end: '2024-03-01', label: '2024-02-29' });
    expect(nextPeriod(periodOf('2024-12-30T00:00:00Z', 'weekly')).start).toBe('2025-01-06');
  });

  it('names the last complete period for a scheduled run', () => {
    expect(lastCompletePeriod(Date.parse('2024-04-01T03:00:00Z'), 'monthly').label).toBe('2024-03');
    expect(lastCompletePeriod(Date.parse('2024-01-15T00:00:00Z'), 'monthly').label).toBe('2023-12');
    expect(lastCompletePeriod(Date.parse('2024-03-11T00:00:00Z'), 'weekly').start).toBe('2024-03-04');
    expect(lastCompletePeriod(Date.parse('2024-03-11T10:00:00Z'), 'daily').start).toBe('2024-03-10');
  });

  it('parses period labels strictly, saying what is wrong', () => {
    expect(month('2024-02')).toMatchObject({ start: '2024-02-01', end: '2024-03-01' });
    expect(parsePeriodLabel('2024-13', 'monthly')).toBe('period 2024-13 is not a month (YYYY-MM)');
    expect(parsePeriodLabel('2024-02-30', 'daily')).toBe('period 2024-02-30 is not a day (YYYY-MM-DD)');
    expect(parsePeriodLabel('2024-03-05', 'weekly')).toBe('period 2024-03-05 is not a Monday (weekly periods start on Mondays)');
    expect(parsePeriodLabel('2024-03-04', 'weekly')).toMatchObject({ end: '2024-03-11' });
  });

  it('sends a late CDR to the next period whose statement is not closed', () => {
    const closed = new Set(['2024-01-01', '2024-02-01', '2024-04-01']);
    expect(targetPeriod(month('2024-01'), closed).label).toBe('2024-03');
    expect(targetPeriod(month('2024-03'), closed).label).toBe('2024-03');
    expect(targetPeriod(month('2024-04'), closed).label).toBe('2024-05');
    // A run of March takes the late CDRs of January and February; a run of May those of April.
    expect(latePeriodsFor(month('2024-03'), closed)).toEqual(['2024-01-01', '2024-02-01']);
    expect(latePeriodsFor(month('2024-05'), closed)).toEqual(['2024-04-01']);
    expect(latePeriodsFor(month('2024-02'), closed)).toEqual([]); // February is closed: nothing goes to it
  });
});

describe('periods in the time zone of a CPO/eMSP pair', () => {
  it('puts a CDR in the local month, day and week that holds its end, across DST changes', () => {
    // 2024-03-31T22:30Z is 1 April 00:30 in Amsterdam (CEST, UTC+2): April there, March in UTC.
    expect(periodOf('2024-03-31T22:30:00Z', 'monthly', 'Europe/Amsterdam').label).toBe('2024-04');
    expect(periodOf('2024-03-31T22:30:00Z', 'monthly').label).toBe('2024-03');
    // 2024-03-31T21:59:59Z is still 31 March 23:59:59 in Amsterdam.
    expect(periodOf('2024-03-31T21:59:59Z', 'monthly', 'Europe/Amsterdam').label).toBe('2024-03');
    // New York, the evening of 31 October, is already 1 November in UTC.
    expect(periodOf('2024-11-01T03:30:00Z', 'monthly', 'America/New_York').label).toBe('2024-10');
    expect(periodOf('2024-11-01T03:30:00Z', 'daily', 'America/New_York').label).toBe('2024-10-31');
    // A Sunday evening in Kiritimati (UTC+14) is Monday there: a new ISO week.
    expect(periodOf('2024-03-03T10:30:00Z', 'weekly', 'Pacific/Kiritimati').label).toBe('2024-03-04');
    expect(periodOf('2024-03-03T10:30:00Z', 'weekly').label).toBe('2024-02-26');
    // An offset in the CDR is the instant it denotes.
    expect(periodOf('2024-04-01T00:30:00+02:00', 'monthly', 'Europe/Amsterdam').label).toBe('2024-04');
  });

  it('starts a local period at its local midnight (the instant), with the DST change inside the period', () => {
    const april = periodOf('2024-04-10T12:00:00Z', 'monthly', 'Europe/Amsterdam');
    expect(new Date(periodStartInstant(april, 'Europe/Amsterdam')).toISOString()).toBe('2024-03-31T22:00:00.000Z');
    const march = periodOf('2024-03-10T12:00:00Z', 'monthly', 'Europe/Amsterdam');
    expect(new Date(periodStartInstant(march, 'Europe/Amsterdam')).toISOString()).toBe('2024-02-29T23:00:00.000Z');
    // The DST day itself is 23 hours long in Amsterdam.
    const dstDay = periodOf('2024-03-31T12:00:00Z', 'daily', 'Europe/Amsterdam');
    expect(periodStartInstant(nextPeriod(dstDay), 'Europe/Amsterdam') - periodStartInstant(dstDay, 'Europe/Amsterdam')).toBe(23 * 3_600_000);
    expect(periodStartInstant(april)).toBe(Date.parse('2024-04-01T00:00:00Z'));
  });

  it('begins a day whose midnight the clock skips at the first instant that exists', () => {
    // Santiago (Chile) moved from UTC-4 to UTC-3 at local midnight on 2024-09-08: 00:00 never happened.
    const day = periodOf('2024-09-08T12:00:00Z', 'daily', 'America/Santiago');
    expect(day.label).toBe('2024-09-08');
    expect(new Date(periodStartInstant(day, 'America/Santiago')).toISOString()).toBe('2024-09-08T04:00:00.000Z');
  });

  it('settles the last local period that has ended', () => {
    // 2024-04-01T00:30Z: April has begun in Amsterdam (02:30) but not in New York (31 March, 20:30).
    expect(lastCompletePeriod(Date.parse('2024-04-01T00:30:00Z'), 'monthly', 'Europe/Amsterdam').label).toBe('2024-03');
    expect(lastCompletePeriod(Date.parse('2024-04-01T00:30:00Z'), 'monthly', 'America/New_York').label).toBe('2024-02');
  });

  it('tells a time zone from a string that is none', () => {
    expect(isValidTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
