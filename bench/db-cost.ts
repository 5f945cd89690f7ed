/**
 * npm run bench:db-cost — what each kind of message costs the one PostgreSQL every hub instance shares
 * (docs/scaling.md): statements, transactions, rows written per table and WAL bytes per OCPP message
 * and per OCPI push, over a fixed workload against the real hub (in this process, its own database).
 *
 * Statements are counted at the client (every `query` the hub's pg clients send, BEGIN and COMMIT
 * included; the bench's own reads go through a client it leaves out), so no server extension is needed;
 * so are transactions (a statement outside BEGIN … COMMIT is one) and the rows INSERT/UPDATE/DELETE
 * report, by target table. WAL comes from pg_current_wal_lsn() (the whole server: run it on the embedded one, the default, or on a server nothing else writes to).
 * Chargers are real ocpp-rpc 1.6 clients, partners real HTTP servers; each workload ends when the outbox
 * has delivered what it queued, so deliveries are part of a push's cost.
 *   BENCH_DB_CHARGERS (50)  chargers sending at once (one call in flight each, as real chargers do)
 *   BENCH_DB_MESSAGES (20)  messages per charger per OCPP workload
 *   BENCH_DB_PUSHES (100)   OCPI location pushes of a CPO with 10 eMSPs
 */
import { availableParallelism, loadavg } from 'node:os';
import { Client } from 'pg';
import type { RPCClient } from 'ocpp-rpc';
import { startOwnNetwork, rfidToken, ownLocation, type OwnNetwork } from '../test/support/own-network';
import { benchDatabase, reportFigure, table } from './support';

const CHARGERS = Number(process.env.BENCH_DB_CHARGERS ?? 50);
const MESSAGES = Number(process.env.BENCH_DB_MESSAGES ?? 20);
const PUSHES = Number(process.env.BENCH_DB_PUSHES ?? 100);
const EMSPS = 10;

/**
 * Every query the hub's pg clients send while `counting` is on: statements, the transactions they make
 * (a statement outside BEGIN … COMMIT is one of its own) and the rows INSERT/UPDATE/DELETE report, by
 * the statement's target table. The bench's stats client is left out. Counted at the client because
 * the server's per-table counters reach pg_stat_user_tables only seconds later.
 */
const statements = {
  count: 0,
  transactions: 0,
  rows: new Map<string, number>(),
  counting: false,
  excluded: new WeakSet<object>(),
  inTransaction: new WeakSet<object>(),
};
const targetOf = (text: string) => /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?/i.exec(text.replace(/^\s*WITH[\s\S]*?\)\s*(?=INSERT|UPDATE|DELETE|SELECT)/i, ''))?.[1] ?? 'other';
function recordResult(text: string, result: unknown): void {
  for (const r of Array.isArray(result) ? result : [result]) {
    const { command, rowCount } = (r ?? {}) as { command?: string; rowCount?: number | null };
    if (command && /^(INSERT|UPDATE|DELETE|MERGE)$/.test(command) && rowCount) {
      const table = targetOf(text);
      statements.rows.set(table, (statements.rows.get(table) ?? 0) + rowCount);
    }
  }
}
const originalQuery = Client.prototype.query;
Client.prototype.query = function countedQuery(this: Client, ...args: unknown[]) {
  if (!statements.counting || statements.excluded.has(this)) return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  statements.count++;
  const first = args[0] as string | { text?: string };
  const text = typeof first === 'string' ? first : (first?.text ?? '');
  const head = text.trimStart().slice(0, 24).toUpperCase();
  if (/^(BEGIN|START TRANSACTION)/.test(head)) statements.inTransaction.add(this);
  else if (/^(COMMIT|ROLLBACK|END)\b/.test(head)) {
    statements.inTransaction.delete(this);
    statements.transactions++;
  } else if (!statements.inTransaction.has(this)) statements.transactions++;
  const callback = typeof args.at(-1) === 'function' ? (args.pop() as (error: unknown, result: unknown) => void) : undefined;
  if (callback) {
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, [
      ...args,
      (error: unknown, result: unknown) => {
        if (!error) recordResult(text, result);
        callback(error, result);
      },
    ]);
  }
  const returned = (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (returned && typeof (returned as Promise<unknown>).then === 'function') {
    return (returned as Promise<unknown>).then((result) => {
      recordResult(text, result);
      return result;
    });
  }
  return returned;
} as typeof Client.prototype.query;

interface Snapshot {
  statements: number;
  transactions: number;
  walBytes: bigint;
  tables: Map<string, number>;
  /** Rows counted in the tables themselves: writes made by one CTE statement report no row count. */
  newRows: { meterValues: number; outbox: number };
}

interface Cost {
  workload: string;
  messages: number;
  statements: number;
  transactions: number;
  rowsWritten: number;
  walBytes: number;
  tables: string;
  newMeterRows: number;
  newOutboxRows: number;
  seconds: number;
}

async function snapshot(stats: Client): Promise<Snapshot> {
  const { rows: wal } = await stats.query(
    `SELECT pg_current_wal_lsn()::text AS lsn, (SELECT count(*)::int FROM ocpp_meter_values) AS meter_rows, (SELECT count(*)::int FROM outbox) AS outbox_rows`,
  );
  const [hi, lo] = (wal[0].lsn as string).split('/').map((h) => BigInt(`0x${h}`));
  return {
    statements: statements.count,
    transactions: statements.transactions,
    walBytes: (hi << 32n) + lo,
    tables: new Map(statements.rows),
    newRows: { meterValues: wal[0].meter_rows as number, outbox: wal[0].outbox_rows as number },
  };
}

async function measure(stats: Client, workload: string, messages: number, run: () => Promise<void>, drained: () => Promise<void>): Promise<Cost> {
  const before = await snapshot(stats);
  statements.counting = true;
  const started = performance.now();
  await run();
  await drained();
  await new Promise((r) => setTimeout(r, 300)); // listeners that run after an answer (CDR rating…) finish
  const seconds = (performance.now() - started) / 1000;
  statements.counting = false;
  const after = await snapshot(stats);
  const perTable: [string, number][] = [];
  for (const [name, t] of after.tables) {
    const written = t - (before.tables.get(name) ?? 0);
    if (written > 0) perTable.push([name, written]);
  }
  perTable.sort((a, b) => b[1] - a[1]);
  const rowsWritten = perTable.reduce((sum, [, n]) => sum + n, 0);
  return {
    workload,
    messages,
    statements: after.statements - before.statements,
    transactions: after.transactions - before.transactions,
    rowsWritten,
    walBytes: Number(after.walBytes - before.walBytes),
    tables: perTable.map(([name, n]) => `${name} ${(n / messages).toFixed(2)}`).join(', '),
    newMeterRows: after.newRows.meterValues - before.newRows.meterValues,
    newOutboxRows: after.newRows.outbox - before.newRows.outbox,
    seconds,
  };
}

/** One-row INSERTs committed back to back by 20 connections for 5 s: commits/s and WAL bytes/s. */
async function commitCeiling(url: string, stats: Client): Promise<{ commitsPerSecond: number; walBytesPerSecond: number }> {
  await stats.query(`CREATE TABLE IF NOT EXISTS bench_commit_ceiling (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), v int NOT NULL)`);
  const clients = await Promise.all(Array.from({ length: 20 }, async () => {
    const c = new Client({ connectionString: url });
    statements.excluded.add(c);
    await c.connect();
    return c;
  }));
  const lsn = async () => {
    const [hi, lo] = ((await stats.query(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0].lsn as string).split('/').map((h) => BigInt(`0x${h}`));
    return (hi << 32n) + lo;
  };
  const walBefore = await lsn();
  const started = performance.now();
  const until = started + 5000;
  let commits = 0;
  await Promise.all(clients.map(async (c, i) => {
    while (performance.now() < until) {
      await c.query('INSERT INTO bench_commit_ceiling (v) VALUES ($1)', [i]);
      commits++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const wal = Number((await lsn()) - walBefore);
  await Promise.all(clients.map((c) => c.end()));
  await stats.query(`DROP TABLE bench_commit_ceiling`);
  return { commitsPerSecond: commits / seconds, walBytesPerSecond: wal / seconds };
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const chargerIds = Array.from({ length: CHARGERS }, (_, i) => `DBC${String(i).padStart(3, '0')}`);
  const emsps = Array.from({ length: EMSPS }, (_, i) => `NL/EM${i}`);
  let net: OwnNetwork | undefined;
  const clients: RPCClient[] = [];
  const stats = new Client({ connectionString: database.url });
  statements.excluded.add(stats);
  await stats.connect();
  try {
    net = await startOwnNetwork({
      emsps,
      cpos: ['NL/CP1'],
      agreements: emsps.map((e) => ['CP1', e.split('/')[1]] as [string, string]),
      evses: chargerIds,
      // Session PATCHes at the production default (one a minute per transaction), logging off.
      hub: { databaseUrl: database.url, checkOpenApi: false, logLevel: 'silent', env: { SESSION_UPDATE_INTERVAL_SECONDS: '60', OUTBOX_BASE_BACKOFF_MS: '100' } },
    });
    const { hub } = net;
    const drained = async () => {
      for (;;) {
        const { rows } = await stats.query(`SELECT count(*)::int AS open FROM outbox WHERE status = 'pending'`);
        if (rows[0].open === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await hub.services.outbox.whenIdle();
    };
    for (const id of chargerIds) {
      await net.addCharger(id, 'ocpp1.6', 'SITE1', id);
      await net.pushToken('EM0', rfidToken({ countryCode: 'NL', partyId: 'EM0' }, `TAG${id}`));
    }
    for (const id of chargerIds) clients.push(await net.connect(id, 'ocpp1.6'));
    await drained();
    const costs: Cost[] = [];
    const eachCharger = (call: (client: RPCClient, i: number, n: number) => Promise<unknown>) =>
      Promise.all(clients.map(async (client, i) => {
        for (let n = 0; n < MESSAGES; n++) await call(client, i, n);
      })).then(() => undefined);
    const total = CHARGERS * MESSAGES;

    costs.push(await measure(stats, `Heartbeat (${CHARGERS} chargers at once)`, total, () => eachCharger((c) => c.call('Heartbeat', {})), drained));
    costs.push(
      await measure(stats, `StatusNotification, a change each (${CHARGERS} at once; EVSE PATCH to ${EMSPS} eMSPs)`, total, () =>
        eachCharger((c, _i, n) => c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: n % 2 ? 'Available' : 'Preparing' })), drained),
    );
    await eachCharger(async () => undefined);
    const transactions: number[] = [];
    costs.push(
      await measure(stats, `StartTransaction (${CHARGERS} at once; session PUT to the eMSP)`, CHARGERS, async () => {
        await Promise.all(clients.map(async (c, i) => {
          const started = (await c.call('StartTransaction', { connectorId: 1, idTag: `TAG${chargerIds[i]}`, meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
          transactions[i] = started.transactionId;
        }));
      }, drained),
    );
    const meterValue = (i: number, n: number) => ({
      connectorId: 1,
      transactionId: transactions[i],
      meterValue: [{ timestamp: new Date(Date.now() + n).toISOString(), sampledValue: [
        { value: String(1000 + n * 100), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
      ] }],
    });
    costs.push(await measure(stats, `MeterValues, 2 samples (${CHARGERS} chargers at once)`, total, () => eachCharger((c, i, n) => c.call('MeterValues', meterValue(i, n))), drained));
    costs.push(
      await measure(stats, 'MeterValues, 2 samples (one charger, one at a time)', MESSAGES * 5, async () => {
        for (let n = 0; n < MESSAGES * 5; n++) await clients[0].call('MeterValues', meterValue(0, MESSAGES + n));
      }, drained),
    );
    costs.push(
      await measure(stats, `StopTransaction (${CHARGERS} at once; priced CDR POST, session PATCH)`, CHARGERS, async () => {
        await Promise.all(clients.map((c, i) => c.call('StopTransaction', { transactionId: transactions[i], meterStop: 20_000, timestamp: new Date().toISOString() })));
      }, drained),
    );

    const cpo = net.parties.CP1;
    const location = (n: number) => ({ ...ownLocation(`LOC${n % 10}`, [`LOC${n % 10}-E1`]), country_code: 'NL', party_id: 'CP1', last_updated: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString() });
    costs.push(
      await measure(stats, `OCPI location PUT, broadcast to ${EMSPS} eMSPs (one after another)`, PUSHES, async () => {
        for (let n = 0; n < PUSHES; n++) {
          const reply = await cpo.ocpi.put(`/receiver/locations/NL/CP1/LOC${n % 10}`, location(n));
          if (reply.data.status_code !== 1000) throw new Error(`push answered ${JSON.stringify(reply.data)}`);
        }
      }, drained),
    );
    const emsp = net.parties.EM1;
    costs.push(
      await measure(stats, 'OCPI GET-all locations page (100 per page)', 50, async () => {
        for (let n = 0; n < 50; n++) await emsp.ocpi.get('/sender/locations', { params: { offset: 0, limit: 100 } });
      }, drained),
    );
    net.parties.EM0.partner.intercept = (req, res) => {
      if (!req.path.includes('/authorize')) return false;
      const uid = /tokens\/([^/]+)\/authorize/.exec(req.path)![1];
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ data: { allowed: 'ALLOWED', token: rfidToken({ countryCode: 'NL', partyId: 'EM0' }, uid) }, status_code: 1000, timestamp: new Date().toISOString() }));
      return true;
    };
    costs.push(
      await measure(stats, 'OCPI real-time authorize, CPO → hub → eMSP (token known)', 100, async () => {
        for (let n = 0; n < 100; n++) {
          const reply = await cpo.ocpi.post(`/sender/tokens/TAG${chargerIds[n % CHARGERS]}/authorize`, { location_id: 'SITE1' });
          if (reply.data.status_code !== 1000) throw new Error(`authorize answered ${JSON.stringify(reply.data)}`);
        }
      }, drained),
    );

    // The server's own ceiling on the commit axis, same run: 20 connections (a hub instance's pool)
    // committing one-row INSERTs as fast as they can, no hub in between.
    const ceiling = await commitCeiling(database.url, stats);

    const rows = [['workload', 'messages', 'statements/msg', 'transactions/msg', 'rows reported/msg', 'new meter-value rows/msg', 'new outbox rows/msg', 'WAL bytes/msg', 'msgs/s (not a throughput test)', 'msgs/s the commit ceiling allows', 'rows reported by INSERT/UPDATE/DELETE per message, by table']];
    for (const c of costs) {
      rows.push([c.workload, String(c.messages), (c.statements / c.messages).toFixed(2), (c.transactions / c.messages).toFixed(2), (c.rowsWritten / c.messages).toFixed(2), (c.newMeterRows / c.messages).toFixed(2), (c.newOutboxRows / c.messages).toFixed(2), (c.walBytes / c.messages).toFixed(0), (c.messages / c.seconds).toFixed(0), c.transactions ? (ceiling.commitsPerSecond / (c.transactions / c.messages)).toFixed(0) : '—', c.tables]);
    }
    process.stdout.write(`\nbench:db-cost — what one message costs PostgreSQL (docs/scaling.md)\n\n${table(rows)}\n\n`);
    process.stdout.write(
      `server ceiling, same run: ${ceiling.commitsPerSecond.toFixed(0)} one-row commits/s from 20 connections, WAL ${(ceiling.walBytesPerSecond / 1e6).toFixed(1)} MB/s (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)\n`,
    );
    reportFigure({ figure: 'PostgreSQL one-row commits/s, 20 connections (the ceiling)', value: ceiling.commitsPerSecond, unit: 'commits/s' });
    for (const c of costs) {
      reportFigure({ figure: `${c.workload}: statements per message`, value: c.statements / c.messages, unit: 'stmts' });
      reportFigure({ figure: `${c.workload}: WAL per message`, value: c.walBytes / c.messages, unit: 'B' });
    }
  } finally {
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
    await net?.close();
    await stats.end();
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:db-cost failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
