import { loadConfig } from '../../../src/foundation/config';

describe('settlement configuration', () => {
  it('runs monthly at 03:00 on the first by default', () => {
    expect(loadConfig({}).settlement).toEqual({ cron: '0 3 1 * *', period: 'monthly' });
  });

  it('takes a cron expression and a period kind, and names a bad one', () => {
    expect(loadConfig({ SETTLEMENT_CRON: '30 2 * * 1', SETTLEMENT_PERIOD: 'weekly' }).settlement).toEqual({ cron: '30 2 * * 1', period: 'weekly' });
    expect(() => loadConfig({ SETTLEMENT_CRON: 'monthly' })).toThrow(/SETTLEMENT_CRON must be a cron expression/);
    expect(() => loadConfig({ SETTLEMENT_PERIOD: 'yearly' })).toThrow(/SETTLEMENT_PERIOD must be one of monthly, weekly, daily/);
  });
});
