import type { AxiosInstance, AxiosResponse } from 'axios';

/**
 * `ocpi-hub outbox …`, `ocpi-hub audit …` and `ocpi-hub search …`: what the console does, from the
 * shell, through the same admin routes (docs/dashboard.md, "The console").
 */
export const CONSOLE_USAGE = `  ocpi-hub outbox list [--status pending|failed] [--party <id>]   what the hub still owes partners
  ocpi-hub outbox retry <delivery id>         put one failed delivery back in the queue
  ocpi-hub outbox skip <delivery id>          give one failed or pending delivery up (kept as skipped)
  ocpi-hub audit list [--action parties] [--target <id>] [--outcome ok|refused|failed] [--client cli|console] [--from <time>] [--to <time>] [--cursor <c>] [--limit 50]
                                              who changed what, from the console, the CLI or curl
  ocpi-hub search sessions|cdrs|tokens|locations [--party NL/CPO] [--location <id>] [--evse <uid>] [--token <uid or contract id>]
                  [--status <s>] [--from <time>] [--to <time>] [--cursor <c>] [--limit 50]
  ocpi-hub search deliveries [--party <id>] [--status pending|delivered|failed|skipped] [--module sessions] [--object <key part>]
  ocpi-hub search events [--charger <id>] [--action StatusNotification]
  ocpi-hub preview tariff <id> [--kwh 20] [--minutes 60] [--parking-minutes 0] [--start <time>] [--time-zone Europe/Amsterdam]
                                              what an own tariff charges for such a session (the pricing engine)
  ocpi-hub search story sessions|cdrs <CC/PID/id>   a session's or CDR's OCPP messages, pushes, rating, statement line
`;

export const CONSOLE_ACTIONS: Record<string, string[]> = {
  outbox: ['list', 'retry', 'skip'],
  audit: ['list'],
  preview: ['tariff'],
  search: ['sessions', 'cdrs', 'tokens', 'locations', 'deliveries', 'events', 'story'],
};

export const CONSOLE_OPTIONS = {
  action: { type: 'string' },
  target: { type: 'string' },
  outcome: { type: 'string' },
  client: { type: 'string' },
  cursor: { type: 'string' },
  limit: { type: 'string' },
  module: { type: 'string' },
  object: { type: 'string' },
  charger: { type: 'string' },
  kwh: { type: 'string' },
  minutes: { type: 'string' },
  'parking-minutes': { type: 'string' },
  start: { type: 'string' },
} as const;

export class ConsoleUsageError extends Error {}

type Values = Record<string, string | string[] | undefined>;

function required(value: string | undefined, name: string): string {
  if (!value) throw new ConsoleUsageError(`Missing ${name}`);
  return value;
}

/** Only the options given, as query parameters. */
function query(values: Values, names: string[], rename: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = values[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text) out[rename[name] ?? name] = text;
  }
  return out;
}

export async function runConsoleCommand(group: string, api: AxiosInstance, args: string[], values: Values): Promise<AxiosResponse> {
  const [action, id] = args;
  const idOf = () => encodeURIComponent(required(id, '<delivery id>'));
  if (group === 'outbox') {
    if (action === 'list') return api.get('/admin/outbox', { params: query(values, ['status', 'party', 'limit']) });
    return api.post(`/admin/outbox/${idOf()}/${action}`);
  }
  if (group === 'audit') return api.get('/admin/audit', { params: query(values, ['action', 'target', 'outcome', 'client', 'from', 'to', 'cursor', 'limit']) });
  if (group === 'preview') {
    return api.get(`/admin/tariffs/${encodeURIComponent(required(id, '<tariff id>'))}/price-preview`, {
      params: query(values, ['kwh', 'minutes', 'parking-minutes', 'start', 'time-zone'], { 'parking-minutes': 'parking_minutes', 'time-zone': 'time_zone' }),
    });
  }
  if (action === 'story') {
    const [, module, key] = args;
    if (module !== 'sessions' && module !== 'cdrs') throw new ConsoleUsageError('search story: write sessions or cdrs, then CC/PID/id');
    const parts = required(key, '<CC/PID/id>').split('/');
    if (parts.length < 3) throw new ConsoleUsageError(`search story: ${key} is not CC/PID/id`);
    const [cc, pid, ...rest] = parts;
    return api.get(`/admin/search/${module}/${encodeURIComponent(cc)}/${encodeURIComponent(pid)}/${encodeURIComponent(rest.join('/'))}/story`);
  }
  const names: Record<string, string[]> = {
    deliveries: ['party', 'status', 'module', 'object', 'from', 'to', 'cursor', 'limit'],
    events: ['charger', 'action', 'from', 'to', 'cursor', 'limit'],
  };
  return api.get(`/admin/search/${action}`, { params: query(values, names[action] ?? ['party', 'location', 'evse', 'token', 'status', 'from', 'to', 'cursor', 'limit']) });
}
