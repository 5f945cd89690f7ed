/**
 * The ad hoc price as a driver must see it before paying (AFIR, Regulation (EU) 2023/1804, Art. 5(3) and 5(6):
 * the ad hoc price shown "in the following order: price per kWh, price per minute, price per session, and any
 * other price component that applies", incl. VAT). Pure: computed from the OCPI tariff with the pricing core,
 * so what the page says is what the engine will charge.
 *
 * Which components apply is asked of the engine itself: a probe session starting now (one hour charging, one
 * hour parked) is priced, and the first line of each dimension is the component in force now, after the
 * tariff's time-of-day, day and date restrictions. A component that only applies later in a session (after a
 * min_duration, above a min_kwh) is flagged by `varies`, since one figure cannot say it.
 */
import Decimal from 'decimal.js';
import { currencyOf, roundMoney } from '../money/currencies';
import { priceSession } from '../pricing/engine';
import { toPricingInput } from '../pricing/input';
import type { TariffDimensionType, Tariff } from '../pricing/tariff.schema';

export type DriverPriceUnit = 'kWh' | 'minute' | 'session' | 'parking_minute';

/** One line of the displayed price. Amounts are decimal strings in major units. */
export interface DriverPriceLine {
  dimension: TariffDimensionType;
  unit: DriverPriceUnit;
  /** Per unit, incl. VAT (what a consumer is shown); excl. VAT when the tariff gives no VAT. */
  priceInclVat: string;
  priceExclVat: string;
  /** The VAT rate in percent, or null when the tariff gives none (then priceInclVat is the excl. VAT price). */
  vat: number | null;
  /** Billed in steps of this many units (kWh for energy, minutes for time), when larger than the unit. */
  step: string | null;
}

/** The worked example the page shows: what a typical session costs now. */
export interface TypicalSession {
  kwh: number;
  minutes: number;
  totalInclVat: string;
  totalExclVat: string;
}

export interface DriverPrice {
  tariffId: string;
  currency: string;
  /** In AFIR's order: per kWh, per minute, per session, then parking. */
  lines: DriverPriceLine[];
  typical: TypicalSession;
  /** min_price / max_price of the tariff, incl. VAT where given. */
  minPrice: string | null;
  maxPrice: string | null;
  /** True when the tariff's price depends on the time of day, the day or the session's progress. */
  varies: boolean;
}

/** The typical session the page prices: 20 kWh in one hour, about an evening's top-up at an 22 kW AC point. */
export const TYPICAL_SESSION = { kwh: 20, minutes: 60 } as const;

const ORDER: { dimension: TariffDimensionType; unit: DriverPriceUnit }[] = [
  { dimension: 'ENERGY', unit: 'kWh' },
  { dimension: 'TIME', unit: 'minute' },
  { dimension: 'FLAT', unit: 'session' },
  { dimension: 'PARKING_TIME', unit: 'parking_minute' },
];

/** Unit prices with four decimals at most (a kWh price of 0.2975), never fewer than the currency's. */
function unitPrice(value: Decimal, currency: string): string {
  const decimals = currencyOf(currency).decimals;
  const fixed = value.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
  const [whole, fraction = ''] = fixed.split('.');
  const kept = fraction.replace(/0+$/, '').padEnd(decimals, '0');
  return kept ? `${whole}.${kept}` : whole;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The price of `tariff` for a session starting at `now` at a location in `timeZone` (IANA), with the typical
 * session `typical` priced in full.
 */
export function adHocPriceDisplay(tariff: Tariff, now: Date, timeZone: string, typical: { kwh: number; minutes: number } = TYPICAL_SESSION): DriverPrice {
  const start = Math.floor(now.getTime() / 1000) * 1000;
  const hour = 3_600_000;
  const probe = priceSession(
    toPricingInput(
      tariff,
      {
        start_date_time: isoSeconds(start),
        end_date_time: isoSeconds(start + 2 * hour),
        charging_periods: [
          { start_date_time: isoSeconds(start), dimensions: [{ type: 'ENERGY', volume: 20 }, { type: 'TIME', volume: 1 }] },
          { start_date_time: isoSeconds(start + hour), dimensions: [{ type: 'PARKING_TIME', volume: 1 }] },
        ],
      },
      timeZone,
    ),
  );
  const lines: DriverPriceLine[] = [];
  for (const { dimension, unit } of ORDER) {
    const line = probe.lines.find((l) => l.dimension === dimension && !l.reservation);
    if (!line || line.price === 0) continue;
    const perUnit = unit === 'minute' || unit === 'parking_minute' ? new Decimal(line.price).div(60) : new Decimal(line.price);
    const inclVat = line.vat === undefined ? perUnit : perUnit.mul(new Decimal(line.vat).div(100).plus(1));
    // step_size is in Wh for energy and seconds for time (mod_tariffs, PriceComponent); 1 Wh and 60 s say nothing a driver needs.
    const step =
      dimension === 'ENERGY' && line.stepSize > 1
        ? new Decimal(line.stepSize).div(1000).toString()
        : (dimension === 'TIME' || dimension === 'PARKING_TIME') && line.stepSize > 60
          ? new Decimal(line.stepSize).div(60).toString()
          : null;
    lines.push({
      dimension,
      unit,
      priceInclVat: unit === 'session' ? roundMoney(inclVat, tariff.currency).toFixed(currencyOf(tariff.currency).decimals) : unitPrice(inclVat, tariff.currency),
      priceExclVat: unit === 'session' ? roundMoney(perUnit, tariff.currency).toFixed(currencyOf(tariff.currency).decimals) : unitPrice(perUnit, tariff.currency),
      vat: line.vat ?? null,
      step,
    });
  }

  const typicalEnd = start + typical.minutes * 60_000;
  const priced = priceSession(
    toPricingInput(
      tariff,
      {
        start_date_time: isoSeconds(start),
        end_date_time: isoSeconds(typicalEnd),
        charging_periods: [{ start_date_time: isoSeconds(start), dimensions: [{ type: 'ENERGY', volume: typical.kwh }, { type: 'TIME', volume: typical.minutes / 60 }] }],
      },
      timeZone,
    ),
  );
  const decimals = currencyOf(tariff.currency).decimals;
  const money = (value: number | undefined) => (value === undefined ? null : new Decimal(value).toFixed(decimals));
  const limit = (price: Tariff['min_price']) => (price ? money(price.incl_vat ?? price.excl_vat) : null);
  return {
    tariffId: tariff.id,
    currency: tariff.currency,
    lines,
    typical: {
      kwh: typical.kwh,
      minutes: typical.minutes,
      totalInclVat: money(priced.total_cost.incl_vat ?? priced.total_cost.excl_vat)!,
      totalExclVat: money(priced.total_cost.excl_vat)!,
    },
    minPrice: limit(tariff.min_price),
    maxPrice: limit(tariff.max_price),
    varies: tariff.elements.length > 1 || tariff.elements.some((e) => e.restrictions !== undefined && e.restrictions !== null),
  };
}
