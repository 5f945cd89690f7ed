import { loadConfig } from '../../../src/foundation/config';

describe('settlement configuration', () => {
  it('runs monthly at 03:00 on the first by default', () => {
    expect(loadConfig({}).settlement).toEqual({ cron: '0 3 1 * *', period: 'monthly', timeZone: 'UTC' });
  });

  it('takes a cron expression and a period kind, and names a bad one', () => {
    expect(loadConfig({ SETTLEMENT_CRON: '30 2 * * 1', SETTLEMENT_PERIOD: 'weekly' }).settlement).toEqual({ cron: '30 2 * * 1', period: 'weekly', timeZone: 'UTC' });
    expect(() => loadConfig({ SETTLEMENT_CRON: 'monthly' })).toThrow(/SETTLEMENT_CRON must be a cron expression/);
    expect(() => loadConfig({ SETTLEMENT_PERIOD: 'yearly' })).toThrow(/SETTLEMENT_PERIOD must be one of monthly, weekly, daily/);
  });

  it('takes the time zone of pairs without their own, and names one that is none', () => {
    expect(loadConfig({ SETTLEMENT_TIME_ZONE: 'Europe/Amsterdam' }).settlement.timeZone).toBe('Europe/Amsterdam');
    expect(() => loadConfig({ SETTLEMENT_TIME_ZONE: 'CET+1' })).toThrow(/SETTLEMENT_TIME_ZONE must be an IANA time zone/);
  });
});
