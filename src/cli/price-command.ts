import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '../foundation/zod-issues';
import { ChargingPeriod, isValidTimeZone, rateCdr, ratingTimeZone, utcDateTimes, type InputNote } from '../core/pricing/pricing-core';

export const PRICE_USAGE = `ocpi-hub price — rate a CDR against a tariff and show where the CDR's totals differ

Usage:
  ocpi-hub price --tariff tariff.json --cdr cdr.json [--time-zone Europe/Amsterdam] [--tolerance 0.01] [--strict]

  --tariff     an OCPI 2.2.1 Tariff (or a response envelope holding one); default: the CDR's own tariffs[0]
  --cdr        an OCPI 2.2.1 CDR (or a response envelope holding one)
  --time-zone  the Location's IANA time zone for time restrictions (default: the zone of
               cdr_location.country when it has one, else UTC; the output says which)
  --tolerance  largest difference not reported (default 0.005)
  --strict     refuse what does not conform (date-times with UTC offsets, invalid tariff fields),
               report no incl_vat for a component without vat, and default the time zone to UTC

Without --strict, real-world data is priced where it can be and what is wrong becomes a note:
date-times with offsets are read as the instant they denote, tariff fields pricing does not need
are set aside, and a component without vat has incl_vat = excl_vat (no VAT applies).

Prints JSON {tariff_id, currency, time_zone, time_zone_source, computed, differences, notes}.
Exit 0: the CDR matches; 1: it differs; 2: bad input.
`;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** What the rating needs of a CDR; everything else in it is left alone. */
const CdrInput = z.looseObject({
  start_date_time: z.string(),
  end_date_time: z.string(),
  charging_periods: z.array(ChargingPeriod),
  tariffs: z.array(z.unknown()).optional(),
});

class InputError extends Error {}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read the ${what} file ${path}: ${(error as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    // A saved OCPI response holds the object in `data`.
    const enveloped = typeof value === 'object' && value !== null && 'status_code' in value && 'data' in value;
    return enveloped ? (value as { data: unknown }).data : value;
  } catch (error) {
    throw new InputError(`The ${what} file ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** `ocpi-hub price`: the finance team's check of a CPO's CDR against the tariff it names. */
export function runPrice(argv: string[], io: Io): number {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        tariff: { type: 'string' },
        cdr: { type: 'string' },
        'time-zone': { type: 'string' },
        strict: { type: 'boolean', default: false },
        tolerance: { type: 'string', default: '0.005' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(PRICE_USAGE);
      return 0;
    }
    if (!values.cdr) throw new InputError('Missing --cdr');
    const strict = values.strict!;
    const given = values['time-zone'];
    if (given !== undefined && !isValidTimeZone(given)) throw new InputError(`--time-zone ${given} is not an IANA time zone`);
    const tolerance = Number(values.tolerance);
    if (!Number.isFinite(tolerance) || tolerance < 0) throw new InputError('--tolerance must be a non-negative number');

    const inputNotes: InputNote[] = [];
    const rawCdr = readJson(values.cdr, 'CDR');
    const parsedCdr = CdrInput.safeParse(strict ? rawCdr : utcDateTimes(rawCdr, 'CDR', inputNotes));
    if (!parsedCdr.success) {
      throw new InputError(`The CDR cannot be rated: ${describeIssues(parsedCdr.error, Infinity)}`);
    }
    const cdr = parsedCdr.data;
    const tariffJson = values.tariff ? readJson(values.tariff, 'tariff') : cdr.tariffs?.[0];
    if (tariffJson === undefined) throw new InputError('Missing --tariff, and the CDR carries no tariffs');
    const country = (cdr.cdr_location as { country?: unknown } | undefined)?.country;
    const { timeZone, source } = strict
      ? { timeZone: given ?? 'UTC', source: given ? ('given' as const) : ('default' as const) }
      : ratingTimeZone({ zone: given, source: 'given' }, country, inputNotes);
    const rating = rateCdr(tariffJson, cdr, timeZone, tolerance, { strict, timeZoneSource: source, inputNotes });
    if (!rating.ok) throw new InputError(`Invalid tariff: ${rating.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    const { tariffId, currency, computed, differences, notes } = rating;
    io.out(`${JSON.stringify({ tariff_id: tariffId, currency, time_zone: timeZone, time_zone_source: source, computed, differences, notes }, null, 2)}\n`);
    return differences.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof InputError || error instanceof RangeError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n\n${PRICE_USAGE}`);
      return 2;
    }
    throw error;
  }
}
