import { startTestHub, type TestHub } from '../support/test-hub';
import { runOcppFuzz } from './ocpp-fuzz';

/** The default, fast run of the OCPP frame fuzzer (`npm run fuzz` runs the long one). */
describe('OCPP fuzz: malformed frames from accepted chargers', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ logLevel: 'warn' });
  });
  afterAll(() => hub.close());

  it('answers every call with a fitting CALLERROR, closes for garbage by the rule, and changes nothing', async () => {
    const report = await runOcppFuzz(hub, { framesPerProtocol: Number(process.env.FUZZ_OCPP_FRAMES ?? 300), seed: Number(process.env.FUZZ_SEED ?? 20251), floodEvery: 150, floodSize: 50, oversizeEvery: 250, streakEvery: 100 });
    if (report.failures.length) console.log(report.byOutcome, report.actions);
    expect(report.failures.slice(0, 10)).toEqual([]);
    expect(report.wellBehaved.failures).toEqual([]);
    expect(report.wellBehaved.calls).toBeGreaterThan(0);
    expect(report.databaseChanges).toEqual([]);
    expect(report.errorLogs).toEqual([]);
    expect((await hub.admin.get('/health')).data).toEqual({ status: 'ok', database: 'ok' });
  }, 120_000);
});
