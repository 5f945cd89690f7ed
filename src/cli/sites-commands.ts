import { readFileSync } from 'node:fs';
import type { AxiosInstance, AxiosResponse } from 'axios';

/** `ocpi-hub site …`: load-management sites through /admin/sites (docs/load-management.md). */
export const SITE_USAGE = `  ocpi-hub site put <id> --file site.json     create or replace a site: grid limit, groups, time windows, chargers
  ocpi-hub site list
  ocpi-hub site show <id>
  ocpi-hub site state <id>                    the last allocation and each charger's profile state (ok/retrying/excluded/offline)
  ocpi-hub site reallocate <id>               reallocate now and list the profiles sent
  ocpi-hub site include <id> <charger id>     take an excluded charger back into load management
  ocpi-hub site samples <id> [--from <time>] [--to <time>]   allocated power against the limit
  ocpi-hub site delete <id>                   (clears the hub's profiles on its chargers)
  ocpi-hub site planner <id> [--file planner.json]   show, or set, the planner: {"enabled": true, "tariff_id": …, "classes": […]}
  ocpi-hub site capacity <id>                 the EMS limit in force
  ocpi-hub site ems-key <id> issue --label <whose system>   a key for the site's EMS (shown once)
  ocpi-hub site ems-key <id> list
  ocpi-hub site ems-key <id> revoke <key id>
`;

export const SITE_ACTIONS = ['put', 'list', 'show', 'state', 'reallocate', 'include', 'samples', 'delete', 'planner', 'capacity', 'ems-key'];

export const SITE_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  label: { type: 'string' },
} as const;

/** A mistake in what the operator typed or pointed at: shown with the usage, exit code 2. */
export class SiteUsageError extends Error {}

function required(value: string | undefined, name: string): string {
  if (!value) throw new SiteUsageError(`Missing ${name}`);
  return value;
}

function readJson(file: string | undefined): unknown {
  const path = required(file, '--file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SiteUsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SiteUsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

export async function runSiteCommand(api: AxiosInstance, args: string[], values: Record<string, unknown>): Promise<AxiosResponse> {
  const [action, id, chargerId, keyId] = args;
  const site = () => `/admin/sites/${encodeURIComponent(required(id, '<id>'))}`;
  switch (action) {
    case 'put':
      return api.put(site(), readJson(values.file as string | undefined));
    case 'list':
      return api.get('/admin/sites');
    case 'show':
      return api.get(site());
    case 'state':
      return api.get(`${site()}/state`);
    case 'reallocate':
      return api.post(`${site()}/reallocate`);
    case 'include':
      return api.post(`${site()}/chargers/${encodeURIComponent(required(chargerId, '<charger id>'))}/include`);
    case 'samples':
      return api.get(`${site()}/samples`, { params: { from: values.from, to: values.to } });
    case 'delete':
      return api.delete(site());
    case 'planner':
      return values.file ? api.put(`${site()}/planner`, readJson(values.file as string)) : api.get(`${site()}/planner`);
    case 'capacity':
      return api.get(`${site()}/capacity`);
    case 'ems-key':
      // chargerId holds the sub-command here: issue | list | revoke.
      if (chargerId === 'issue') return api.post(`${site()}/ems-keys`, { label: required(values.label as string | undefined, '--label') });
      if (chargerId === 'list') return api.get(`${site()}/ems-keys`);
      if (chargerId === 'revoke') return api.post(`${site()}/ems-keys/${encodeURIComponent(required(keyId, '<key id>'))}/revoke`);
      throw new SiteUsageError(`Unknown ems-key command: ${chargerId ?? '(none)'} (issue, list or revoke)`);
  }
  throw new SiteUsageError(`Unknown site command: ${action}`);
}
