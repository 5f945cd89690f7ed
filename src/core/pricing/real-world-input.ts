/**
 * Reading tariffs and CDRs as other systems send them, for the rating (rateCdr): what pricing can use is used,
 * and what is off becomes a note instead of a refusal. The strict rating skips all of this.
 */
import { OFFSET_DATE_TIME } from '../date-time';
import type { Tariff } from './tariff.schema';
import { validateTariff, type TariffValidation } from './validate';

export interface InputNote {
  code: 'DATETIME_WITH_OFFSET' | 'TARIFF_FIELD_IGNORED' | 'TIME_ZONE_FROM_COUNTRY' | 'TIME_ZONE_UNKNOWN' | 'TIME_ZONE_DEPENDENT';
  message: string;
}

/**
 * A copy of `json` with every date-time written with a UTC offset replaced by the UTC instant it denotes; OCPI
 * DateTimes are UTC ("All timestamps are formatted as string(25) following RFC 3339, with some additional
 * limitations. All timestamps SHALL be in UTC." types, DateTime), so each one is a conformance note.
 */
export function utcDateTimes<T>(json: T, what: string, notes: InputNote[]): T {
  const converted: string[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      if (!OFFSET_DATE_TIME.test(value)) return value;
      const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (Number.isNaN(ms)) return value;
      converted.push(`${path} ${value}`);
      return new Date(ms).toISOString().replace('.000Z', 'Z');
    }
    // Copies only what changes: a conforming CDR (the usual case) comes back as the same object.
    if (Array.isArray(value)) {
      const items = value.map((item, index) => walk(item, `${path}[${index}]`));
      return items.some((item, index) => item !== value[index]) ? items : value;
    }
    if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).map(([key, item]): [string, unknown] => [key, walk(item, path ? `${path}.${key}` : key)]);
      return entries.some(([key, item]) => item !== (value as Record<string, unknown>)[key]) ? Object.fromEntries(entries) : value;
    }
    return value;
  };
  const result = walk(json, '') as T;
  if (converted.length) {
    notes.push({
      code: 'DATETIME_WITH_OFFSET',
      message: `The ${what} writes ${converted.length} date-time(s) with a UTC offset (${converted.slice(0, 3).join(', ')}${converted.length > 3 ? ', …' : ''}); each was read as the instant it denotes, but OCPI DateTimes must be UTC`,
    });
  }
  return result;
}

/**
 * Tariff fields pricing does not read, with what stands in for a required one that is missing or malformed. The
 * tariff's id is only echoed in the output.
 */
const NOT_NEEDED: Record<string, unknown> = {
  country_code: 'XX',
  party_id: 'XXX',
  id: '(no id)',
  last_updated: '1970-01-01T00:00:00Z',
  type: undefined,
  tariff_alt_text: undefined,
  tariff_alt_url: undefined,
  energy_mix: undefined,
};

/**
 * Validates a tariff; when every problem is in a field pricing does not need (NOT_NEEDED), those fields are set aside
 * with a note and the rest is priced. A field OCPI does not define is still refused: it may be a misspelt
 * `min_price` or `elements`, and pricing without it would be silently wrong.
 */
export function readTariff(json: unknown, notes: InputNote[]): TariffValidation {
  const checked = validateTariff(json);
  if (checked.ok || typeof json !== 'object' || json === null || Array.isArray(json)) return checked;
  const fieldOf = (path: string) => path.split(/[.[]/)[0];
  const ignorable = checked.errors.every((e) => fieldOf(e.path) in NOT_NEEDED);
  if (!ignorable) return checked;
  const copy: Record<string, unknown> = { ...(json as Record<string, unknown>) };
  const fields = [...new Set(checked.errors.map((e) => fieldOf(e.path)))];
  for (const field of fields) {
    if (field in NOT_NEEDED && NOT_NEEDED[field] !== undefined) copy[field] = NOT_NEEDED[field];
    else delete copy[field];
  }
  const retried = validateTariff(copy);
  if (!retried.ok) return checked;
  notes.push({
    code: 'TARIFF_FIELD_IGNORED',
    message: `The tariff was priced without fields pricing does not need: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
  });
  return retried;
}

/**
 * Countries (ISO 3166-1 alpha-3, as OCPI's `country`) whose territory is one IANA time zone (tzdb zone1970.tab;
 * overseas territories have their own codes). Germany also lists Europe/Busingen, which has kept Berlin's clock
 * since 1981. Countries with several zones (USA, CAN, AUS, BRA, MEX, RUS, ESP, PRT, NZL, …) are left out on purpose.
 */
const SINGLE_ZONE_COUNTRIES: Record<string, string> = {
  AUT: 'Europe/Vienna', BEL: 'Europe/Brussels', BGR: 'Europe/Sofia', BHR: 'Asia/Bahrain', CHE: 'Europe/Zurich',
  CZE: 'Europe/Prague', DEU: 'Europe/Berlin', DNK: 'Europe/Copenhagen', EST: 'Europe/Tallinn', FIN: 'Europe/Helsinki',
  FRA: 'Europe/Paris', GBR: 'Europe/London', GRC: 'Europe/Athens', HRV: 'Europe/Zagreb', HUN: 'Europe/Budapest',
  IND: 'Asia/Kolkata', IRL: 'Europe/Dublin', ISL: 'Atlantic/Reykjavik', ISR: 'Asia/Jerusalem', ITA: 'Europe/Rome',
  JPN: 'Asia/Tokyo', KOR: 'Asia/Seoul', KWT: 'Asia/Kuwait', LIE: 'Europe/Vaduz', LTU: 'Europe/Vilnius',
  LUX: 'Europe/Luxembourg', LVA: 'Europe/Riga', NLD: 'Europe/Amsterdam', NOR: 'Europe/Oslo', OMN: 'Asia/Muscat',
  POL: 'Europe/Warsaw', ROU: 'Europe/Bucharest', SGP: 'Asia/Singapore', SVK: 'Europe/Bratislava', SVN: 'Europe/Ljubljana',
  SWE: 'Europe/Stockholm',
};

export type TimeZoneSource = 'given' | 'location' | 'country' | 'default';

/**
 * The time zone of time restrictions: the one given (the CLI's --time-zone) or the stored Location's, else the
 * zone of a single-zone `cdr_location.country`, else UTC; the last two with a note.
 */
export function ratingTimeZone(known: { zone?: string; source?: 'given' | 'location' }, country: unknown, notes: InputNote[]): { timeZone: string; source: TimeZoneSource } {
  if (known.zone) return { timeZone: known.zone, source: known.source ?? 'given' };
  const fromCountry = typeof country === 'string' ? SINGLE_ZONE_COUNTRIES[country.toUpperCase()] : undefined;
  if (fromCountry) {
    notes.push({ code: 'TIME_ZONE_FROM_COUNTRY', message: `No time zone is known for the location; ${fromCountry} was inferred from cdr_location.country ${String(country)}, which has one` });
    return { timeZone: fromCountry, source: 'country' };
  }
  notes.push({
    code: 'TIME_ZONE_UNKNOWN',
    message: `No time zone is known for the location${typeof country === 'string' ? ` and ${country} has more than one or is not in the table` : ''}: UTC was used`,
  });
  return { timeZone: 'UTC', source: 'default' };
}

/** Whether any element restricts by local time of day, weekday or date (so the price depends on the time zone). */
export function usesLocalTime(tariff: Tariff): boolean {
  return tariff.elements.some(({ restrictions: r }) => !!r && !!(r.start_time || r.end_time || r.start_date || r.end_date || r.day_of_week?.length));
}
