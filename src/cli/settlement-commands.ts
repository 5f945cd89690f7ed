import type { AxiosInstance, AxiosResponse } from 'axios';

/** `ocpi-hub settlement …`: settlement through the admin API (docs/settlement.md). */
export const SETTLEMENT_USAGE = `  ocpi-hub settlement run [--period 2024-03]  settle a period now (default: the last complete one)
  ocpi-hub settlement list [--period 2024-03] [--cpo NL/CPO] [--emsp DE/EMS] [--status open|closed]
  ocpi-hub settlement show <statement id> [--version <n>]   a version with its lines, mismatches, disputes
  ocpi-hub settlement versions <statement id>
  ocpi-hub settlement close <statement id> [--version <n>]  the latest version becomes final
  ocpi-hub settlement csv <statement id> [--version <n>] [--mismatches]   lines (or the mismatch report) as CSV
  ocpi-hub settlement pdf <statement id> --out statement.pdf [--version <n>]   the statement document (VAT per rate, lines)
  ocpi-hub settlement dispute <statement id> <cdr id> --reason "…"   an eMSP declines a line
  ocpi-hub settlement disputes [--status open|resolved]
  ocpi-hub settlement resolve <dispute id> --resolution credited|withdrawn|rejected [--note "…"]
  ocpi-hub settlement time-zones                          the zone each CPO/eMSP pair's periods are cut in
  ocpi-hub settlement time-zone --cpo NL/CPO --emsp DE/EMS --zone Europe/Amsterdam
`;

export const SETTLEMENT_ACTIONS = ['run', 'list', 'show', 'versions', 'close', 'csv', 'pdf', 'dispute', 'disputes', 'resolve', 'time-zones', 'time-zone'];

/** Options of the settlement group, for the CLI's parseArgs. */
export const SETTLEMENT_OPTIONS = {
  period: { type: 'string' },
  version: { type: 'string' },
  status: { type: 'string' },
  reason: { type: 'string' },
  resolution: { type: 'string' },
  note: { type: 'string' },
  mismatches: { type: 'boolean' },
  zone: { type: 'string' },
} as const;

export class SettlementUsageError extends Error {}

function required(value: string | undefined, name: string): string {
  if (!value) throw new SettlementUsageError(`Missing ${name}`);
  return value;
}

function versionOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new SettlementUsageError(`--version ${value}: must be a version number (1, 2, …)`);
  return Number(value);
}

export async function runSettlementCommand(api: AxiosInstance, args: string[], values: Record<string, unknown>): Promise<AxiosResponse> {
  const [action, first, second] = args;
  const text = (name: string) => values[name] as string | undefined;
  const statement = () => `/admin/settlement/statements/${encodeURIComponent(required(first, '<statement id>'))}`;
  const version = versionOf(text('version'));
  switch (action) {
    case 'run':
      return api.post('/admin/settlement/runs', text('period') ? { period: text('period') } : {});
    case 'list':
      return api.get('/admin/settlement/statements', { params: { period: text('period'), cpo: text('cpo'), emsp: text('emsp'), status: text('status') } });
    case 'show':
      return api.get(`${statement()}/lines`, { params: { version } });
    case 'versions':
      return api.get(statement());
    case 'close':
      return api.post(`${statement()}/close`, version ? { version } : {});
    case 'csv':
      return api.get(`${statement()}/${values.mismatches ? 'mismatches.csv' : 'csv'}`, { params: { version }, responseType: 'text' });
    case 'pdf':
      required(text('out'), '--out');
      return api.get(`${statement()}/pdf`, { params: { version }, responseType: 'arraybuffer' });
    case 'dispute':
      return api.post('/admin/settlement/disputes', {
        statement_id: required(first, '<statement id>'),
        cdr_id: required(second, '<cdr id>'),
        reason: required(text('reason'), '--reason'),
      });
    case 'disputes':
      return api.get('/admin/settlement/disputes', { params: { status: text('status') } });
    case 'resolve':
      return api.post(`/admin/settlement/disputes/${encodeURIComponent(required(first, '<dispute id>'))}/resolve`, {
        resolution: required(text('resolution'), '--resolution'),
        ...(text('note') && { note: text('note') }),
      });
    case 'time-zones':
      return api.get('/admin/settlement/time-zones');
    case 'time-zone':
      return api.put('/admin/settlement/time-zones', {
        cpo: required(text('cpo'), '--cpo'),
        emsp: required(text('emsp'), '--emsp'),
        time_zone: required(text('zone'), '--zone'),
      });
  }
  throw new SettlementUsageError(`Unknown settlement command: ${action}`);
}
