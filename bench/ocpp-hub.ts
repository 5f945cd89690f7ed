/**
 * The hub under test in bench:ocpp, in a process of its own (forked by bench/ocpp.ts): the whole hub
 * (OCPI, admin API, outbox, OCPP server) on the benchmark's database, logging off, per-charger rate
 * limits off (RATE_LIMIT_CHARGER_PER_SECOND=0: every simulated charger calls far more often than a
 * real one may), session PATCHes at the production default of one a minute per transaction.
 * On request it seeds the own CPO's chargers, locations, tariff and tokens in bulk (SQL).
 */
import { Client as PgClient } from 'pg';
import { hashGeneratedChargerPassword } from '../src/own-cpo/chargers/charger-passwords';
import { OWN_TARIFF, ownLocation } from '../test/support/own-network';
import { startTestHub } from '../test/support/test-hub';
import { serveServerQueries } from './ocpp-server-queries';
import { benchChargerId, tokenOf } from './ocpp-ids';

export const EVSES_PER_LOCATION = 10;

interface SeedRequest {
  id: number;
  seed: { chargers: number; password: string; emsp: { countryCode: string; partyId: string } };
}

/**
 * BENCH_QUERY_COUNTS=1: every statement the hub process sends PostgreSQL is counted by its text (the
 * first 100 characters, whitespace folded), and the counts are printed to stderr when it stops: what
 * a phase costs the database, per kind of statement.
 */
function countQueries(): () => string {
  const counts = new Map<string, number>();
  const query = PgClient.prototype.query as (...args: unknown[]) => unknown;
  PgClient.prototype.query = function countedQuery(this: PgClient, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const text = (typeof config === 'string' ? config : (config?.text ?? '?')).replace(/\s+/g, ' ').trim().slice(0, 100);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    return query.apply(this, args);
  } as typeof PgClient.prototype.query;
  return () =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([text, n]) => `${String(n).padStart(8)}  ${text}`)
      .join('\n');
}

async function main(): Promise<void> {
  const queryCounts = process.env.BENCH_QUERY_COUNTS === '1' ? countQueries() : undefined;
  const hub = await startTestHub({
    databaseUrl: process.env.BENCH_DATABASE_URL!,
    checkOpenApi: false,
    logLevel: 'silent',
    env: { TOKEN_ENCRYPTION_KEY: process.env.BENCH_TOKEN_ENCRYPTION_KEY!, RATE_LIMIT_CHARGER_PER_SECOND: '0', RATE_LIMIT_PARTY_PER_SECOND: '0', SESSION_UPDATE_INTERVAL_SECONDS: '60', OCPP_HEARTBEAT_INTERVAL_SECONDS: '300' },
  });
  const { db, store, ownCpo } = hub.services;

  async function seed({ chargers, password, emsp }: SeedRequest['seed']): Promise<{ seeded: number }> {
    const lastUpdated = new Date('2026-01-01T00:00:00Z');
    await store.put({ module: 'tariffs', countryCode: ownCpo.countryCode, partyId: ownCpo.partyId, objectId: OWN_TARIFF.id }, OWN_TARIFF, lastUpdated);
    const objects: { module: string; cc: string; pid: string; id: string; type: string; data: string }[] = [];
    for (let first = 0; first < chargers; first += EVSES_PER_LOCATION) {
      const uids = Array.from({ length: Math.min(EVSES_PER_LOCATION, chargers - first) }, (_, k) => benchChargerId(first + k));
      const location = { ...ownLocation(`BL${first / EVSES_PER_LOCATION}`, uids), country_code: ownCpo.countryCode, party_id: ownCpo.partyId };
      objects.push({ module: 'locations', cc: ownCpo.countryCode, pid: ownCpo.partyId, id: location.id, type: '', data: JSON.stringify(location) });
    }
    for (let i = 0; i < chargers; i++) {
      for (const phase of ['S', 'T'] as const) {
        const uid = tokenOf(benchChargerId(i), phase);
        const token = {
          country_code: emsp.countryCode,
          party_id: emsp.partyId,
          uid,
          type: 'RFID',
          contract_id: `${emsp.countryCode}${emsp.partyId}C${uid}`,
          issuer: 'Bench eMobility',
          valid: true,
          whitelist: 'ALLOWED',
          last_updated: lastUpdated.toISOString(),
        };
        objects.push({ module: 'tokens', cc: emsp.countryCode, pid: emsp.partyId, id: uid, type: 'RFID', data: JSON.stringify(token) });
      }
    }
    for (let i = 0; i < objects.length; i += 2000) {
      const chunk = objects.slice(i, i + 2000);
      await db.query(
        `INSERT INTO ocpi_objects (module, country_code, party_id, object_id, object_type, data, last_updated)
         SELECT * , $7::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
         ON CONFLICT DO NOTHING`,
        [chunk.map((o) => o.module), chunk.map((o) => o.cc), chunk.map((o) => o.pid), chunk.map((o) => o.id), chunk.map((o) => o.type), chunk.map((o) => o.data), lastUpdated],
      );
    }
    // One hash for every charger, stored as the hub stores a password it generated (the admin API's
    // default); an operator-chosen password is an scrypt hash (docs/benchmarks.md: its cost at a restart).
    const passwordHash = hashGeneratedChargerPassword(password);
    await db.query(
      `INSERT INTO chargers (id, password_hash, status, location_id, evses)
       SELECT 'BENCH' || lpad(i::text, 5, '0'), $2, 'ACCEPTED', 'BL' || (i / $3),
              jsonb_build_array(jsonb_build_object('ocpp_connector', '1', 'evse_uid', 'BENCH' || lpad(i::text, 5, '0'), 'connector_id', '1'))
         FROM generate_series(0, $1 - 1) AS i
       ON CONFLICT DO NOTHING`,
      [chargers, passwordHash, EVSES_PER_LOCATION],
    );
    return { seeded: chargers };
  }

  /** Waits until the outbox has delivered what the last phase queued (sessions, EVSE statuses), so phases do not overlap. */
  async function settle(): Promise<{ pending: number }> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [{ pending }]: { pending: number }[] = await db.query(`SELECT count(*)::int AS pending FROM outbox WHERE status = 'pending'`);
      if (pending === 0 || Date.now() > deadline) return { pending };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  serveServerQueries(
    () => hub.services.ocpp.connectionCount,
    (message) => ('seed' in message ? seed((message as unknown as SeedRequest).seed) : 'settle' in message ? settle() : undefined),
  );
  process.send!({ ready: true, url: hub.url, ocppUrl: hub.ocppUrl, adminKey: hub.adminKey });
  process.on('disconnect', () => {
    if (queryCounts) process.stderr.write(`statements of this hub process, by text:\n${queryCounts()}\n`);
    hub.close().finally(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`the bench hub failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
