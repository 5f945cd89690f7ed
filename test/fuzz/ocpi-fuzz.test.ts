import { startFuzzNetwork, type FuzzNetwork } from './fuzz-network';
import { runOcpiFuzz } from './ocpi-fuzz';

const MAX_BODY_BYTES = 100_000;

/** The default, fast run of the OCPI fuzzer (`npm run fuzz` runs the long one). */
describe('OCPI fuzz: hostile requests on every route change nothing', () => {
  let network: FuzzNetwork;
  beforeAll(async () => {
    network = await startFuzzNetwork({ env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) }, logLevel: 'warn' });
  }, 60_000);
  afterAll(() => network.close());

  it('answers 1,000 generated requests with well-formed refusals and leaves the database as it was', async () => {
    const report = await runOcpiFuzz(network, { count: Number(process.env.FUZZ_OCPI_COUNT ?? 1000), seed: Number(process.env.FUZZ_SEED ?? 20251), maxBodyBytes: MAX_BODY_BYTES });
    if (report.failures.length) console.log(JSON.stringify(report.failures.slice(0, 15), null, 1), report.byOutcome);
    expect(report.failures.map((f) => `${f.case.category} ${f.case.method} ${f.case.path.slice(0, 80)}: ${f.answer.problem}`)).toEqual([]);
    expect(report.databaseChanges).toEqual([]);
    expect(report.errorLogs).toEqual([]);
    expect(report.routesCovered).toBe(report.routesTotal);
  }, 120_000);
});
