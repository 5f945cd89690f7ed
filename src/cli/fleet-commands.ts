import type { AxiosInstance, AxiosResponse } from 'axios';

/** `ocpi-hub fleet …`: fleets and their keys for the bookings API, through /admin/fleets (docs/scheduling.md). */
export const FLEET_USAGE = `  ocpi-hub fleet put <id> --name <name> --tokens <token>,<token>,...
                                              create or replace a fleet: its name and the tokens it books for
  ocpi-hub fleet list | ocpi-hub fleet show <id>
  ocpi-hub fleet key-add <id> --label <whom for>   issue a fleet key (shown once) for /admin/bookings
  ocpi-hub fleet keys <id>
  ocpi-hub fleet key-revoke <id> <key id>
`;

export const FLEET_ACTIONS = ['put', 'list', 'show', 'key-add', 'keys', 'key-revoke'];

export const FLEET_OPTIONS = {
  tokens: { type: 'string' },
} as const;

/** A mistake in what the operator typed: shown with the usage, exit code 2. */
export class FleetUsageError extends Error {}

function required(value: string | undefined, name: string): string {
  if (!value) throw new FleetUsageError(`Missing ${name}`);
  return value;
}

export async function runFleetCommand(api: AxiosInstance, args: string[], values: Record<string, unknown>): Promise<AxiosResponse> {
  const [action, id, keyId] = args;
  const v = values as Record<string, string | undefined>;
  const fleet = () => `/admin/fleets/${encodeURIComponent(required(id, '<id>'))}`;
  switch (action) {
    case 'put': {
      const tokens = (v.tokens ?? '').split(',').map((t) => t.trim()).filter(Boolean);
      return api.put(fleet(), { name: required(v.name, '--name'), tokens });
    }
    case 'list':
      return api.get('/admin/fleets');
    case 'show':
      return api.get(fleet());
    case 'key-add':
      return api.post(`${fleet()}/keys`, { label: required(v.label, '--label') });
    case 'keys':
      return api.get(`${fleet()}/keys`);
    case 'key-revoke':
      return api.post(`${fleet()}/keys/${encodeURIComponent(required(keyId, '<key id>'))}/revoke`);
  }
  throw new FleetUsageError(`Unknown fleet command: ${action}`);
}
