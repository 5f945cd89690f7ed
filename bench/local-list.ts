/**
 * npm run bench:local-list — local authorization lists of 10,000 tokens to 1,000 real ocpp-rpc
 * chargers (OCPP 1.6J, in a child process: bench/local-list-chargers.ts), through the hub's
 * LocalListSync (state in PostgreSQL, the wanted list from the token store, GetLocalListVersion
 * before each update, the diff), beside a baseline: a bare ocpp-rpc server sending the same full
 * lists (the same SendLocalList chunks of 500, as many chargers at a time) without any state.
 *
 * Phases of the hub: 1. a full list to every charger (empty lists); 2. a differential after 1 % of
 * the tokens changed (half blocked, half new); 3. a round with nothing to change (the periodic look).
 * Each phase is checked: every charger holds the hub's version, every tenth holds exactly the wanted entries.
 *
 * Settings (environment or --flag=value): BENCH_TOKENS / --tokens (10000), BENCH_CHARGERS / --chargers (1000).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import axios from 'axios';
import { RPCServer } from 'ocpp-rpc';
import { hashGeneratedChargerPassword, generateChargerPassword } from '../src/own-cpo/chargers/charger-passwords';
import { DEFAULT_ITEMS_PER_MESSAGE, localListUpdate, wantedLocalList, type ListedToken } from '../src/core/charging/local-list';
import { CHARGER_PROTOCOLS } from '../src/own-cpo/ocpp/charger-protocols';
import { startPartner } from '../test/support/partner';
import { startTestHub } from '../test/support/test-hub';
import type { ChargersCommand } from './local-list-chargers';
import { benchDatabase, ms } from './support';

function setting(flag: string, env: string, fallback: number): number {
  const given = process.argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1] ?? process.env[env];
  const value = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag} (${env}) must be a positive whole number, not ${given}`);
  return value;
}

const TOKENS = setting('tokens', 'BENCH_TOKENS', 10_000);
const CHARGERS = setting('chargers', 'BENCH_CHARGERS', 1000);
const PARALLEL = 50; // as LocalListSync
const PASSWORD = generateChargerPassword();
const log = (line: string) => process.stdout.write(`${line}\n`);

const child = fork(path.join(__dirname, 'local-list-chargers.ts'), [], { execArgv: ['--import', 'tsx'] });
let nextId = 1;
const waiting = new Map<number, (reply: any) => void>();
const ready = new Promise<void>((resolve) => child.on('message', (m: any) => (m.ready ? resolve() : waiting.get(m.id)?.(m))));
function ask(command: Record<string, unknown> & { cmd: ChargersCommand['cmd'] }): Promise<any> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, (reply) => {
      waiting.delete(id);
      if (reply.error) reject(new Error(reply.error));
      else resolve(reply);
    });
    child.send({ ...command, id });
  });
}

const chargerId = (i: number) => `LL${String(i).padStart(5, '0')}`;
const tokenUid = (i: number) => `BT${String(i).padStart(8, '0')}`;

async function main(): Promise<void> {
  const db = await benchDatabase();
  const hub = await startTestHub({ databaseUrl: db.url, checkOpenApi: false, logLevel: (process.env.BENCH_LOG_LEVEL ?? 'silent') as 'silent', env: { RATE_LIMIT_CHARGER_PER_SECOND: '0', RATE_LIMIT_PARTY_PER_SECOND: '0' } });
  const services = hub.services;
  // Rounds are measured alone: the syncs a connection starts are pushed out of the run.
  services.localLists.connectDelayMs = 3_600_000;
  try {
    const admin = axios.create({ baseURL: hub.url, headers: { Authorization: `Bearer ${hub.adminKey}` } });
    const created = await admin.post('/admin/parties', { country_code: 'NL', party_id: 'EM1', roles: ['EMSP'], name: 'Bench eMSP' });
    const partner = await startPartner({ countryCode: 'NL', partyId: 'EM1', role: 'EMSP', endpoints: [{ identifier: 'tokens', role: 'SENDER', path: '/tokens' }] });
    const { body } = await partner.registerWith(`${hub.url}/ocpi/versions`, created.data.token_a);
    if (body.status_code !== 1000) throw new Error(`the eMSP could not register: ${JSON.stringify(body)}`);
    await admin.post('/admin/agreements', { cpo: 'NL/HUB', emsp: 'NL/EM1' });

    const token = (i: number, valid = true) => ({
      country_code: 'NL', party_id: 'EM1', uid: tokenUid(i), type: 'RFID', contract_id: `NLEM1C${tokenUid(i)}`, issuer: 'Bench', valid, whitelist: 'ALLOWED', last_updated: '2026-01-01T00:00:00Z',
    });
    const putTokens = async (tokens: ReturnType<typeof token>[]) => {
      for (let i = 0; i < tokens.length; i += 2000) {
        const chunk = tokens.slice(i, i + 2000);
        await services.db.query(
          `INSERT INTO ocpi_objects (module, country_code, party_id, object_id, object_type, data, last_updated)
           SELECT 'tokens', 'NL', 'EM1', u, 'RFID', d, '2026-01-01T00:00:00Z' FROM unnest($1::text[], $2::jsonb[]) AS t(u, d)
           ON CONFLICT (module, country_code, party_id, object_id, object_type) DO UPDATE SET data = EXCLUDED.data`,
          [chunk.map((t) => t.uid), chunk.map((t) => JSON.stringify(t))],
        );
      }
    };
    await putTokens(Array.from({ length: TOKENS }, (_, i) => token(i)));
    await services.db.query(
      `INSERT INTO chargers (id, password_hash, status) SELECT 'LL' || lpad(i::text, 5, '0'), $2, 'ACCEPTED' FROM generate_series(0, $1 - 1) AS i`,
      [CHARGERS, hashGeneratedChargerPassword(PASSWORD)],
    );
    await ready;
    const ids = Array.from({ length: CHARGERS }, (_, i) => chargerId(i));
    log(`bench:local-list — ${TOKENS} tokens, ${CHARGERS} OCPP 1.6 chargers, ${DEFAULT_ITEMS_PER_MESSAGE} entries per SendLocalList, ${PARALLEL} chargers at a time`);
    const connected = await ask({ cmd: 'connect', url: hub.ocppUrl, ids, password: PASSWORD, concurrency: 50 });
    if (connected.failures) throw new Error(`${connected.failures} chargers could not connect: ${connected.firstFailure}`);
    while (services.ocpp.connectionCount < CHARGERS) await new Promise((resolve) => setTimeout(resolve, 50));
    await services.localLists.idle(); // the round the agreement started, before any phase is timed

    const check = async (what: string, wantedTokens: ListedToken[]) => {
      const wanted = Object.fromEntries(wantedLocalList(wantedTokens, { maxIdLength: 20, now: new Date() }).entries.map((e) => [e.id, e.status]));
      const rows: { charger_id: string; list_version: number; outcome: string }[] = await services.db.query(`SELECT charger_id, list_version, outcome FROM charger_local_lists`);
      const hubVersion = new Map(rows.map((r) => [r.charger_id, r]));
      const { lists } = await ask({ cmd: 'lists' });
      let observed = 0;
      let messages = 0;
      for (const list of lists as { chargerId: string; version: number; messages: number; entries?: Record<string, string> }[]) {
        messages += list.messages;
        const row = hubVersion.get(list.chargerId);
        if (!row || row.list_version !== list.version || (row.outcome !== 'Accepted' && row.outcome !== 'Unchanged')) {
          throw new Error(`${what}: ${list.chargerId} holds version ${list.version}, the hub recorded ${JSON.stringify(row)}`);
        }
        if (list.entries) {
          observed++;
          if (JSON.stringify(Object.entries(list.entries).sort()) !== JSON.stringify(Object.entries(wanted).sort())) throw new Error(`${what}: ${list.chargerId} does not hold the wanted list`);
        }
      }
      return { messages, text: `every charger at the hub's version, ${observed} checked entry by entry (${Object.keys(wanted).length} entries)` };
    };
    const listed = (valid: (i: number) => boolean, count: number): ListedToken[] => Array.from({ length: count }, (_, i) => ({ uid: tokenUid(i), type: 'RFID', valid: valid(i), whitelist: 'ALLOWED' }));

    let sentBefore = 0;
    const phase = async (name: string, run: () => Promise<void>, verify: () => Promise<{ messages: number; text: string }>) => {
      const started = performance.now();
      await run();
      const elapsed = performance.now() - started;
      const { messages, text } = await verify();
      log(`  ${name.padEnd(34)} ${ms(elapsed).padStart(10)} total, ${ms(elapsed / CHARGERS).padStart(8)} per charger, ${messages - sentBefore} SendLocalList — ${text}`);
      sentBefore = messages;
      return elapsed;
    };

    log('hub (LocalListSync):');
    const full = await phase('1. full lists', () => services.localLists.syncConnected(), () => check('full', listed(() => true, TOKENS)));
    const changed = Math.max(2, Math.floor(TOKENS / 100));
    await putTokens([...Array.from({ length: changed / 2 }, (_, i) => token(i, false)), ...Array.from({ length: changed / 2 }, (_, i) => token(TOKENS + i))]);
    const after = [...listed((i) => i >= changed / 2, TOKENS), ...Array.from({ length: changed / 2 }, (_, i) => ({ uid: tokenUid(TOKENS + i), type: 'RFID', valid: true, whitelist: 'ALLOWED' }))];
    await phase(`2. differential (${changed} changed)`, () => services.localLists.syncConnected(), () => check('differential', after));
    await phase('3. nothing to change', () => services.localLists.syncConnected(), () => check('unchanged', after));

    // Baseline: a bare ocpp-rpc server (strict mode, as the hub's) sends the same full lists, no state, no diff.
    await ask({ cmd: 'closeAll' });
    await hub.close();
    const bare = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
    const sockets = new Map<string, any>();
    bare.on('client', (client: any) => sockets.set(client.identity, client));
    const server = await bare.listen(0, '127.0.0.1');
    const port = (server.address() as { port: number }).port;
    await ask({ cmd: 'connect', url: `ws://127.0.0.1:${port}`, ids, password: PASSWORD, concurrency: 50 });
    while (sockets.size < CHARGERS) await new Promise((resolve) => setTimeout(resolve, 50));
    const update = localListUpdate({ wanted: wantedLocalList(listed(() => true, TOKENS), { maxIdLength: 20, now: new Date() }).entries, itemsPerMessage: DEFAULT_ITEMS_PER_MESSAGE });
    const calls = update.kind === 'none' ? [] : update.messages.map((m) => CHARGER_PROTOCOLS['ocpp1.6'].localList.send(m));
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < ids.length) {
          const client = sockets.get(ids[next++]);
          for (const call of calls) await client.call(call.action, call.params, { callTimeoutMs: 300_000 });
        }
      }),
    );
    const baseline = performance.now() - started;
    log('bare ocpp-rpc (the same full lists, no state):');
    log(`  ${'1. full lists'.padEnd(34)} ${ms(baseline).padStart(10)} total, ${ms(baseline / CHARGERS).padStart(8)} per charger, ${calls.length * CHARGERS} SendLocalList`);
    log(`hub / bare for full lists: ${(full / baseline).toFixed(2)}×; goal: the hub's full lists within a minute (${full < 60_000 ? 'met' : 'NOT met'})`);
    await ask({ cmd: 'closeAll' });
    await bare.close({ force: true });
  } finally {
    child.disconnect();
    await hub.close().catch(() => undefined);
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:local-list failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
