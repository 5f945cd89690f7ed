import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { startFuzzNetwork } from './fuzz-network';
import { runOcpiFuzz } from './ocpi-fuzz';
import { runOcppFuzz } from './ocpp-fuzz';

/**
 * `npm run fuzz`: the long run of both fuzzers against one real test hub (its own embedded PostgreSQL,
 * as in the test suite). FUZZ_OCPI_COUNT (10000), FUZZ_OCPP_FRAMES per protocol (5000), FUZZ_SEED.
 * Prints the counts by outcome and exits 1 on any failure.
 */
const MAX_BODY_BYTES = 100_000;

async function main(): Promise<number> {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const ocpiCount = Number(process.env.FUZZ_OCPI_COUNT ?? 10_000);
  const ocppFrames = Number(process.env.FUZZ_OCPP_FRAMES ?? 5_000);
  await globalSetup();
  const network = await startFuzzNetwork({ env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) }, logLevel: 'warn', checkOpenApi: false });
  let failed = false;
  try {
    console.log(`seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
    let started = Date.now();
    const ocpi = await runOcpiFuzz(network, { count: ocpiCount, seed, maxBodyBytes: MAX_BODY_BYTES });
    console.log(
      `\nOCPI: ${ocpi.sent} requests (${ocpiCount} cases, replays sent twice) in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(generating ${(ocpi.generationMs / 1000).toFixed(1)} s, sending and judging ${(ocpi.sendingMs / 1000).toFixed(1)} s); routes covered ${ocpi.routesCovered}/${ocpi.routesTotal}`,
    );
    console.table(Object.entries(ocpi.byOutcome).sort().map(([outcome, count]) => ({ outcome, count })));
    console.table(Object.entries(ocpi.byCategory).sort().map(([category, count]) => ({ category, count })));
    started = Date.now();
    const ocpp = await runOcppFuzz(network.net.hub, { framesPerProtocol: ocppFrames, seed });
    console.log(`\nOCPP: ${ocpp.sent} frames in ${((Date.now() - started) / 1000).toFixed(1)} s; well-behaved charger: ${ocpp.wellBehaved.calls} calls, ${ocpp.wellBehaved.failures.length} failed`);
    for (const [protocol, a] of Object.entries(ocpp.actions)) console.log(`  ${protocol}: handled ${a.handled.join(', ')}; ${a.unhandled} other actions in the schemas`);
    console.table(Object.entries(ocpp.byOutcome).sort().map(([outcome, count]) => ({ outcome, count })));
    console.table(Object.entries(ocpp.byKind).sort().map(([kind, count]) => ({ kind, count })));

    const problems = [
      ...ocpi.failures.map((f) => `OCPI ${f.case.category} ${f.case.method} ${f.case.path.slice(0, 100)} [${f.case.detail}]: ${f.answer.problem}`),
      ...ocpi.databaseChanges.map((d) => `OCPI changed the database: ${d}`),
      ...ocpi.errorLogs.map((l) => `OCPI error logged: ${l.slice(0, 300)}`),
      ...(ocpi.routesCovered < ocpi.routesTotal ? [`OCPI covered ${ocpi.routesCovered} of ${ocpi.routesTotal} routes`] : []),
      ...ocpp.failures.map((f) => `OCPP ${f.protocol} ${f.frame.kind} [${f.frame.detail}]: ${f.problem}`),
      ...ocpp.wellBehaved.failures.map((f) => `OCPP well-behaved charger: ${f}`),
      ...ocpp.databaseChanges.map((d) => `OCPP changed the database: ${d}`),
      ...ocpp.errorLogs.map((l) => `OCPP error logged: ${l.slice(0, 300)}`),
    ];
    const health = await network.net.hub.admin.get('/health');
    if (health.data?.status !== 'ok') problems.push(`health after the run: ${JSON.stringify(health.data)}`);
    console.log(problems.length ? `\n${problems.length} problems:\n${problems.slice(0, 50).join('\n')}` : '\nno problems: no 5xx, every answer a well-formed refusal, database unchanged');
    failed = problems.length > 0;
  } finally {
    await network.close();
    await globalTeardown();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
