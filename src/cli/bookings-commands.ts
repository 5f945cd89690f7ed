import type { AxiosInstance, AxiosResponse } from 'axios';

/** `ocpi-hub booking …`: bookings at the own locations through /admin/bookings (docs/scheduling.md). */
export const BOOKING_USAGE = `  ocpi-hub booking add --location <id> [--evse <uid> --id-token <token>] --from <time> --until <time> (--power-kw <n> | --energy-kwh <n>)
                                              book a window (refused: every reason, e.g. by how much a slot is over capacity)
  ocpi-hub booking list [--location <id>] [--status RESERVED|CANCELED|NO_SHOW|FULFILLED] [--from <time>] [--to <time>]
  ocpi-hub booking show <id>
  ocpi-hub booking cancel <id> [--reason POWER_OUTAGE|BROKEN_CHARGER|FULL|BLOCKED|UNKNOWN]
  ocpi-hub booking availability --location <id> [--evse <uid>] --from <time> --to <time> [--power-kw <n>] [--minimum-minutes <n>]
`;

export const BOOKING_ACTIONS = ['add', 'list', 'show', 'cancel', 'availability'];

export const BOOKING_OPTIONS = {
  until: { type: 'string' },
  'power-kw': { type: 'string' },
  'energy-kwh': { type: 'string' },
  'id-token': { type: 'string' },
  status: { type: 'string' },
  reason: { type: 'string' },
  'minimum-minutes': { type: 'string' },
} as const;

/** A mistake in what the operator typed: shown with the usage, exit code 2. */
export class BookingUsageError extends Error {}

function required(value: string | undefined, name: string): string {
  if (!value) throw new BookingUsageError(`Missing ${name}`);
  return value;
}

function kilo(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new BookingUsageError(`${name} must be a positive number`);
  return n;
}

export async function runBookingCommand(api: AxiosInstance, args: string[], values: Record<string, unknown>, evses: string[] = []): Promise<AxiosResponse> {
  const [action, id] = args;
  const v = values as Record<string, string | undefined>;
  const one = () => `/admin/bookings/${encodeURIComponent(required(id, '<id>'))}`;
  switch (action) {
    case 'add': {
      const power = kilo(v['power-kw'], '--power-kw');
      const energy = kilo(v['energy-kwh'], '--energy-kwh');
      if ((power === undefined) === (energy === undefined)) throw new BookingUsageError('Give --power-kw or --energy-kwh (one of them)');
      return api.post('/admin/bookings', {
        location_id: required(v.location, '--location'),
        ...(evses[0] && { evse_uid: evses[0] }),
        from: required(v.from, '--from'),
        until: required(v.until, '--until'),
        ...(power !== undefined && { power_kw: power }),
        ...(energy !== undefined && { energy_kwh: energy }),
        ...(v['id-token'] && { id_token: v['id-token'] }),
      });
    }
    case 'list':
      return api.get('/admin/bookings', { params: { location: v.location, status: v.status, from: v.from, to: v.to } });
    case 'show':
      return api.get(one());
    case 'cancel':
      return api.delete(one(), { params: { reason: v.reason } });
    case 'availability':
      return api.get('/admin/bookings/availability', {
        params: {
          location: required(v.location, '--location'),
          evse: evses[0],
          from: required(v.from, '--from'),
          to: required(v.to, '--to'),
          power_kw: v['power-kw'],
          minimum_minutes: v['minimum-minutes'],
        },
      });
  }
  throw new BookingUsageError(`Unknown booking command: ${action}`);
}
