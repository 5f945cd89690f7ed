import {
  lastCompletePeriod,
  latePeriodsFor,
  nextPeriod,
  parsePeriodLabel,
  periodOf,
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
