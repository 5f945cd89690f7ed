import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { SHORTCUT_NAMES } from '../own-cpo/ocpp/charger-shortcuts';

/** A mistake in what the operator typed: shown with the usage, exit code 2. */
export class ChargerUsageError extends Error {}

export const CHARGER_ACTION_USAGE = `  ocpi-hub charger action <id> <Action> ['<params JSON>'] [--timeout <s>]
                                              send any OCPP action of the charger's version, e.g.
                                              charger action CP-0001 GetConfiguration '{"key":["HeartbeatInterval"]}'
  ocpi-hub charger <shortcut> <id> ['<body JSON>'] [--timeout <s>]
                                              ${SHORTCUT_NAMES.join(', ')}
                                              (docs/own-chargers.md), e.g. charger reset CP-0001 '{"type":"hard"}'
  ocpi-hub charger firmware <id> --file <firmware file> [--name <file name>]
                                              store the firmware at the hub and send UpdateFirmware with its one-time URL
  ocpi-hub charger actions <id>               the actions sent to it (who, what, answer), newest first
  ocpi-hub charger events <id>                its firmware, diagnostics, log and security notifications
  ocpi-hub charger files <id>                 files it uploaded (download: GET /admin/chargers/<id>/files/<file id>)
`;

export const CHARGER_ACTION_COMMANDS = ['action', 'actions', 'events', 'files', 'firmware', ...SHORTCUT_NAMES];

export const CHARGER_ACTION_OPTIONS = { timeout: { type: 'string' } } as const;

function jsonArgument(text: string | undefined, what: string): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ChargerUsageError(`${what} must be a JSON object, e.g. '{"type":"Soft"}'`);
}

function timeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,2}$/.test(value)) throw new ChargerUsageError('--timeout must be whole seconds, 1 to 120');
  return Number(value);
}

/** The CLI names itself in the action log as "cli:<login>". */
export function requestedBy(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): the log says cli:unknown
  }
  return `cli:${user}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

/** `charger action|actions|events|files|firmware|<shortcut> …` against the admin API. */
export async function runChargerAction(api: AxiosInstance, args: string[], values: Record<string, string | undefined>): Promise<AxiosResponse> {
  const [command, id, ...more] = args;
  if (!id) throw new ChargerUsageError('Missing <id>');
  const charger = `/admin/chargers/${encodeURIComponent(id)}`;
  const headers = { 'X-Requested-By': requestedBy() };
  const timeout = timeoutSeconds(values.timeout);
  // The hub answers within the call timeout; the HTTP client waits a little longer.
  const httpTimeout = ((timeout ?? 30) + 10) * 1000;
  switch (command) {
    case 'actions':
    case 'events':
    case 'files':
      return api.get(`${charger}/${command}`);
    case 'action': {
      const [action, params] = more;
      if (!action) throw new ChargerUsageError('Missing <Action>, e.g. Reset');
      return api.post(`${charger}/actions/${encodeURIComponent(action)}`, { params: jsonArgument(params, '<params JSON>'), ...(timeout && { timeout_seconds: timeout }) }, { headers, timeout: httpTimeout });
    }
    case 'firmware': {
      if (!values.file) throw new ChargerUsageError('Missing --file <firmware file>');
      let content: Buffer;
      try {
        content = readFileSync(values.file);
      } catch (error) {
        throw new ChargerUsageError(`Cannot read ${values.file}: ${(error as Error).message}`);
      }
      const name = values.name ?? values.file.split(/[\\/]/).pop();
      return api.put(`${charger}/firmware`, content, {
        headers: { ...headers, 'Content-Type': 'application/octet-stream' },
        params: { name, ...(timeout && { timeout_seconds: timeout }) },
        timeout: httpTimeout,
        maxBodyLength: Infinity,
      });
    }
    default: {
      const body = jsonArgument(more[0], '<body JSON>');
      return api.post(`${charger}/shortcuts/${command}`, { ...body, ...(timeout && { timeout_seconds: timeout }) }, { headers, timeout: httpTimeout });
    }
  }
}
