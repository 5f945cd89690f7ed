import { readFileSync } from 'node:fs';
import type { AxiosInstance } from 'axios';

/** A mistake in what the operator typed or pointed at: shown with the usage, exit code 2. */
export class CliInputError extends Error {}

export const OWN_CATALOGUE_USAGE = `  ocpi-hub location put --file loc.json        create or replace an own location (an OCPI Location; country_code,
                                              party_id and last_updated may be left out)
  ocpi-hub location list
  ocpi-hub location show <id>
  ocpi-hub tariff put <id> --file desc.json     publish an own tariff from its description (docs/own-tariffs.md)
  ocpi-hub tariff day-ahead <id> --date 2026-11-22 --file prices.json
                                              merge a date's 24 hourly energy prices into a dynamic tariff
  ocpi-hub tariff promote <id> --file promotion.json
                                              add a time-limited promotion (dates, days, window, prices)
  ocpi-hub tariff unpromote <id> --promotion NIGHT
                                              end a promotion now
  ocpi-hub tariff list
  ocpi-hub tariff show <id>
  ocpi-hub tariff delete <id>
`;

export const OWN_CATALOGUE_ACTIONS = {
  location: ['put', 'list', 'show'],
  tariff: ['put', 'day-ahead', 'promote', 'unpromote', 'list', 'show', 'delete'],
};

function readJson(file: string | undefined): unknown {
  if (!file) throw new CliInputError('Missing --file');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliInputError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliInputError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

function idOf(id: string | undefined): string {
  if (!id) throw new CliInputError('Missing <id>');
  return encodeURIComponent(id);
}

/** `location …`: the own CPO's locations through /admin/locations. */
export async function runLocation(api: AxiosInstance, args: string[], values: Record<string, string | undefined>) {
  const [action, id] = args;
  if (action === 'put') {
    const location = readJson(values.file) as { id?: unknown };
    if (typeof location !== 'object' || location === null || typeof location.id !== 'string') {
      throw new CliInputError(`${values.file} must hold an OCPI Location with its id`);
    }
    return api.put(`/admin/locations/${encodeURIComponent(location.id)}`, location);
  }
  if (action === 'list') return api.get('/admin/locations');
  return api.get(`/admin/locations/${idOf(id)}`);
}

/** `tariff …`: the own CPO's tariffs through /admin/tariffs. */
export async function runTariff(api: AxiosInstance, args: string[], values: Record<string, string | undefined>) {
  const [action, id] = args;
  switch (action) {
    case 'put':
      return api.put(`/admin/tariffs/${idOf(id)}`, readJson(values.file));
    case 'day-ahead': {
      if (!values.date) throw new CliInputError('Missing --date (the local date of the prices, e.g. 2026-11-22)');
      const prices = readJson(values.file);
      // The file is the 24 prices, or an object with them under `prices`.
      const list = Array.isArray(prices) ? prices : (prices as { prices?: unknown })?.prices;
      return api.post(`/admin/tariffs/${idOf(id)}/day-ahead`, { date: values.date, prices: list });
    }
    case 'promote':
      return api.post(`/admin/tariffs/${idOf(id)}/promotions`, readJson(values.file));
    case 'unpromote':
      if (!values.promotion) throw new CliInputError('Missing --promotion (the id of the promotion to end)');
      return api.delete(`/admin/tariffs/${idOf(id)}/promotions/${encodeURIComponent(values.promotion)}`);
    case 'list':
      return api.get('/admin/tariffs');
    case 'show':
      return api.get(`/admin/tariffs/${idOf(id)}`);
    default:
      return api.delete(`/admin/tariffs/${idOf(id)}`);
  }
}
