import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { cliDefaults } from '../foundation/config';
import { ADMIN_KEY_FILE } from '../foundation/secrets';
import { CliInputError, OWN_CATALOGUE_ACTIONS, OWN_CATALOGUE_USAGE, runLocation, runTariff } from './own-catalogue-commands';
import { CHARGER_ACTION_COMMANDS, CHARGER_ACTION_OPTIONS, CHARGER_ACTION_USAGE, ChargerUsageError, runChargerAction } from './charger-commands';
import { runPrice } from './price-command';
import { runSiteCommand, SITE_ACTIONS, SITE_OPTIONS, SITE_USAGE, SiteUsageError } from './sites-commands';
import { BOOKING_ACTIONS, BOOKING_OPTIONS, BOOKING_USAGE, BookingUsageError, runBookingCommand } from './bookings-commands';
import { FLEET_ACTIONS, FLEET_OPTIONS, FLEET_USAGE, FleetUsageError, runFleetCommand } from './fleet-commands';
import { CONSOLE_ACTIONS, CONSOLE_OPTIONS, CONSOLE_USAGE, ConsoleUsageError, runConsoleCommand } from './console-commands';
import { CERTIFICATE_ACTIONS, CERTIFICATE_OPTIONS, CERTIFICATE_USAGE, CertificateUsageError, runCertificateCommand } from './certificate-commands';
import { runSettlementCommand, SETTLEMENT_ACTIONS, SETTLEMENT_OPTIONS, SETTLEMENT_USAGE, SettlementUsageError } from './settlement-commands';

const USAGE = `ocpi-hub — operate an OCPI hub from the shell

Usage:
  ocpi-hub party add --country NL --party ABC --roles EMSP[,CPO] --name "ABC eMobility" [--time-zone Europe/Amsterdam]
                                              (--time-zone: of a 2.1.1 CPO's locations that give none)
  ocpi-hub party time-zone <id> --time-zone Europe/Amsterdam|none
  ocpi-hub party list
  ocpi-hub party show <id>
  ocpi-hub party suspend <id>
  ocpi-hub party resume <id>
  ocpi-hub party delete <id>
  ocpi-hub party token-a <id>                 issue a new token A (re-onboarding)
  ocpi-hub party connect <id> --versions-url <url> --token <their token A>
  ocpi-hub party retry <id>                   re-queue the party's failed deliveries
  ocpi-hub agreement add --cpo NL/CPO --emsp DE/EMS   let a CPO and an eMSP exchange data
  ocpi-hub agreement list
  ocpi-hub agreement delete <id>
  ocpi-hub charger add <id> [--password <password>] [--location <location id>] [--evse <connector>=<evse uid>/<connector id>]...
                                              register one of the hub's own charge points; without --password one
                                              is generated and shown once; --evse maps an OCPP connector ("1", or
                                              "1/1" for 2.0.1 evse/connector) to an EVSE and connector of the location
  ocpi-hub charger list                       charge points with their connection and connector statuses
  ocpi-hub charger show <id>
  ocpi-hub charger delete <id>                (closes its connection)
  ocpi-hub stickers list                      the short code and URL of every own charger connector (/c/<code>)
  ocpi-hub stickers pdf --out stickers.pdf [--location <location id>]
                                              a PDF sheet of stickers (QR code, short code, charge point) to print
${CHARGER_ACTION_USAGE}${CERTIFICATE_USAGE}${SETTLEMENT_USAGE}${SITE_USAGE}${BOOKING_USAGE}${FLEET_USAGE}${CONSOLE_USAGE}${OWN_CATALOGUE_USAGE}  ocpi-hub price --tariff tariff.json --cdr cdr.json    rate a CDR offline (ocpi-hub price --help)

Options:
  --hub <url>        the hub's URL (env OCPI_HUB_URL, else http://HOST:PORT as the hub reads them, 127.0.0.1:8080 by default)
  --admin-key <key>  admin API key (env ADMIN_API_KEY, else DATA_DIR/admin-api-key)
  -h, --help         this text
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

const ACTIONS: Record<string, string[]> = {
  party: ['add', 'list', 'show', 'suspend', 'resume', 'delete', 'token-a', 'connect', 'retry', 'time-zone'],
  agreement: ['add', 'list', 'delete'],
  charger: ['add', 'list', 'show', 'delete', ...CHARGER_ACTION_COMMANDS],
  stickers: ['list', 'pdf'],
  ...OWN_CATALOGUE_ACTIONS,
  settlement: SETTLEMENT_ACTIONS,
  site: SITE_ACTIONS,
  booking: BOOKING_ACTIONS,
  fleet: FLEET_ACTIONS,
  ...CONSOLE_ACTIONS,
  ...CERTIFICATE_ACTIONS,
};

type Runner = (api: AxiosInstance, args: string[], values: Record<string, string | undefined>, evses: string[]) => Promise<AxiosResponse>;

function adminKey(explicit: string | undefined, env: NodeJS.ProcessEnv, dataDir: string): string {
  if (explicit) return explicit;
  if (env.ADMIN_API_KEY) return env.ADMIN_API_KEY;
  const file = path.join(dataDir, ADMIN_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new UsageError(`No admin API key: pass --admin-key, set ADMIN_API_KEY, or run where ${file} exists`);
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`Missing ${name}`);
  return value;
}

async function runAgreement(api: AxiosInstance, args: string[], values: Record<string, string | undefined>) {
  const [action, id] = args;
  if (action === 'add') return api.post('/admin/agreements', { cpo: required(values.cpo, '--cpo'), emsp: required(values.emsp, '--emsp') });
  if (action === 'list') return api.get('/admin/agreements');
  return api.delete(`/admin/agreements/${encodeURIComponent(required(id, '<id>'))}`);
}

/** `--evse 1/1=NL*HUB*E1/1`: the OCPP connector before `=`, the OCPI connector id after the last `/`. */
function evseMapping(value: string) {
  const equals = value.indexOf('=');
  const slash = value.lastIndexOf('/');
  if (equals < 1 || slash <= equals + 1 || slash === value.length - 1) {
    throw new UsageError(`--evse ${value}: write <OCPP connector>=<EVSE uid>/<connector id>, e.g. 1=NL*HUB*E1/1`);
  }
  return { ocpp_connector: value.slice(0, equals), evse_uid: value.slice(equals + 1, slash), connector_id: value.slice(slash + 1) };
}

async function runCharger(api: AxiosInstance, args: string[], values: Record<string, string | undefined>, evses: string[]) {
  const [action, id] = args;
  const idOf = () => encodeURIComponent(required(id, '<id>'));
  if (CHARGER_ACTION_COMMANDS.includes(action)) return runChargerAction(api, args, values);
  if (action === 'add') {
    return api.post('/admin/chargers', {
      id: required(id, '<id>'),
      ...(values.password && { password: values.password }),
      ...(values.location && { location_id: values.location }),
      ...(evses.length && { evses: evses.map(evseMapping) }),
    });
  }
  if (action === 'list') return api.get('/admin/chargers');
  if (action === 'show') return api.get(`/admin/chargers/${idOf()}`);
  return api.delete(`/admin/chargers/${idOf()}`);
}

async function runStickers(api: AxiosInstance, args: string[], values: Record<string, string | undefined>) {
  if (args[0] === 'list') return api.get('/admin/short-codes');
  required(values.out, '--out');
  return api.get('/admin/short-codes/stickers.pdf', { params: values.location ? { location_id: values.location } : {}, responseType: 'arraybuffer' });
}

async function runParty(api: AxiosInstance, args: string[], values: Record<string, string | undefined>) {
  const [action, id] = args;
  const idOf = () => encodeURIComponent(required(id, '<id>'));
  switch (action) {
    case 'add':
      return api.post('/admin/parties', {
        country_code: required(values.country, '--country'),
        party_id: required(values.party, '--party'),
        roles: required(values.roles, '--roles').split(',').map((r) => r.trim().toUpperCase()),
        name: required(values.name, '--name'),
        ...(values['time-zone'] ? { time_zone: values['time-zone'] } : {}),
      });
    case 'time-zone': {
      const zone = required(values['time-zone'], '--time-zone');
      return api.put(`/admin/parties/${idOf()}/time-zone`, { time_zone: zone === 'none' ? null : zone });
    }
    case 'list':
      return api.get('/admin/parties');
    case 'show':
      return api.get(`/admin/parties/${idOf()}`);
    case 'suspend':
    case 'resume':
    case 'token-a':
      return api.post(`/admin/parties/${idOf()}/${action}`);
    case 'retry':
      return api.post(`/admin/parties/${idOf()}/outbox/retry`);
    case 'delete':
      return api.delete(`/admin/parties/${idOf()}`);
    case 'connect':
      return api.post(`/admin/parties/${idOf()}/connect`, {
        versions_url: required(values['versions-url'], '--versions-url'),
        token: required(values.token, '--token'),
      });
  }
  throw new UsageError(`Unknown party command: ${action}`);
}

/** Runs one CLI command against the hub's admin API; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Rating works on files, offline: it needs no hub and has options of its own.
  if (argv[0] === 'price') return runPrice(argv.slice(1), io);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        hub: { type: 'string' },
        'admin-key': { type: 'string' },
        country: { type: 'string' },
        party: { type: 'string' },
        roles: { type: 'string' },
        name: { type: 'string' },
        'time-zone': { type: 'string' },
        'versions-url': { type: 'string' },
        token: { type: 'string' },
        cpo: { type: 'string' },
        emsp: { type: 'string' },
        password: { type: 'string' },
        location: { type: 'string' },
        evse: { type: 'string', multiple: true },
        file: { type: 'string' },
        out: { type: 'string' },
        date: { type: 'string' },
        promotion: { type: 'string' },
        ...SETTLEMENT_OPTIONS,
        ...SITE_OPTIONS,
        ...CHARGER_ACTION_OPTIONS,
        ...BOOKING_OPTIONS,
        ...FLEET_OPTIONS,
        ...CONSOLE_OPTIONS,
        ...CERTIFICATE_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || positionals.length === 0) {
      io.out(USAGE);
      return 0;
    }
    const [group, ...rest] = positionals;
    if (!ACTIONS[group]) throw new UsageError(`Unknown command: ${group}`);
    if (!ACTIONS[group].includes(rest[0])) throw new UsageError(`Unknown ${group} command: ${rest[0] ?? '(none)'}`);
    let defaults: ReturnType<typeof cliDefaults>;
    try {
      defaults = cliDefaults(io.env);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const api = axios.create({
      baseURL: values.hub ?? io.env.OCPI_HUB_URL ?? defaults.hubUrl,
      // X-Admin-Client: the audit log says which actions came from the CLI.
      headers: { Authorization: `Bearer ${adminKey(values['admin-key'], io.env, defaults.dataDir)}`, 'X-Admin-Client': 'cli' },
      validateStatus: () => true,
      timeout: 30_000,
    });
    const runners: Record<string, Runner> = { settlement: runSettlementCommand, site: runSiteCommand, booking: runBookingCommand, fleet: runFleetCommand, party: runParty, agreement: runAgreement, charger: runCharger, stickers: runStickers, location: runLocation, tariff: runTariff };
    const response = CONSOLE_ACTIONS[group]
      ? await runConsoleCommand(group, api, rest, values as Record<string, string | string[] | undefined>)
      : CERTIFICATE_ACTIONS[group]
        ? await runCertificateCommand(group, api, rest, values as Record<string, string | undefined>)
        : await runners[group](api, rest, values as Record<string, string | undefined>, values.evse ?? []);
    // A call the charger refused, failed or left unanswered is kept as an action: shown whole, exit 1.
    if (typeof response.data?.duration_ms === 'number' && response.data.action && response.data.status !== 'accepted') {
      io.out(`${JSON.stringify(response.data, null, 2)}\n`);
      io.err(`Error ${response.status}: ${response.data.error?.message ?? response.data.status}\n`);
      return 1;
    }
    if (response.status >= 400) {
      const data = response.data instanceof ArrayBuffer ? JSON.parse(Buffer.from(response.data).toString('utf8') || '{}') : response.data;
      io.err(`Error ${response.status}: ${data?.error?.message ?? JSON.stringify(data)}\n`);
      return 1;
    }
    // A PDF (the sticker sheet) goes to the file --out names, never to the terminal.
    if (/^application\/pdf/.test(String(response.headers['content-type'] ?? ''))) {
      const bytes = Buffer.from(response.data as ArrayBuffer);
      writeFileSync(values.out!, bytes);
      io.out(`${JSON.stringify({ written: values.out, bytes: bytes.length })}\n`);
      return 0;
    }
    // CSV exports are printed as they are, ready for a file or a spreadsheet.
    const csv = /^text\/csv/.test(String(response.headers['content-type'] ?? ''));
    io.out(csv ? String(response.data) : `${JSON.stringify(response.data ?? {}, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliInputError || error instanceof SettlementUsageError || error instanceof SiteUsageError || error instanceof ChargerUsageError || error instanceof BookingUsageError || error instanceof FleetUsageError || error instanceof ConsoleUsageError || error instanceof CertificateUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`Could not reach the hub: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  }).then((code) => process.exit(code));
}
