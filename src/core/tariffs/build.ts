/**
 * An operator's tariff description (description.ts) as an OCPI 2.2.1 Tariff. Pure: the caller gives
 * the owner, the id and the last_updated stamp.
 *
 * Element order is what makes it work: "the first Tariff Element with a Price Component for that
 * dimension in the list with matching Tariff Restrictions will be used" (mod_tariffs, Tariff object).
 * So the restricted elements (windows, day-ahead hours) come first, in the operator's order, and the
 * base prices come last with no restrictions: any moment, dimension or date nothing else covers falls
 * to them.
 */
import Decimal from 'decimal.js';
import { DayOfWeek, type Price, type PriceComponent, type Tariff, type TariffElement, type TariffRestrictions, validateTariff } from '../pricing/pricing-core';
import { addDays } from './day-ahead';
import type { Prices, Promotion, TariffDescription, TimeWindow } from './description';

export interface TariffIdentity {
  countryCode: string;
  partyId: string;
  id: string;
  /** An OCPI DateTime; every change needs a new one, or receivers may ignore it. */
  lastUpdated: string;
}

/** FLAT has no unit to step; the spec's examples write 1. */
const FLAT_STEP_SIZE = 1;
const WEEK: readonly DayOfWeek[] = DayOfWeek.options;

export function buildOwnTariff(description: TariffDescription, identity: TariffIdentity): Tariff {
  const elements: TariffElement[] = [];
  // Promotions first: a discount holds wherever its dates, days and window do, over windows and hours.
  for (const promotion of description.promotions ?? []) {
    const components = componentsOf(promotion.prices, description);
    for (const restrictions of promotionRestrictions(promotion)) elements.push({ price_components: components, restrictions });
  }
  if (description.kind === 'time_of_use') {
    for (const window of description.windows) {
      const components = componentsOf(window.prices, description);
      for (const restrictions of windowRestrictions(window)) elements.push({ price_components: components, restrictions });
    }
  }
  if (description.kind === 'dynamic') {
    for (const date of Object.keys(description.day_ahead).sort()) {
      for (const run of priceRuns(description.day_ahead[date])) {
        elements.push({
          price_components: componentsOf({ energy: run.price }, description),
          restrictions: { start_date: date, end_date: addDays(date, 1), ...hoursOf(run.fromHour, run.toHour) },
        });
      }
    }
  }
  // Unused bookings: OCPI prices reservations by their own elements (compiled apart from charging ones).
  const reservation = description.reservation;
  if (reservation?.expired) {
    elements.push({ price_components: componentsOf(reservation.expired, description), restrictions: { reservation: 'RESERVATION_EXPIRES' } });
  }
  if (reservation && (reservation.flat !== undefined || reservation.time !== undefined)) {
    elements.push({ price_components: componentsOf({ flat: reservation.flat, time: reservation.time }, description), restrictions: { reservation: 'RESERVATION' } });
  }
  // The fallback: no restrictions, so nothing is ever free by accident.
  elements.push({ price_components: componentsOf(description.prices, description) });

  const tariff: Tariff = {
    country_code: identity.countryCode,
    party_id: identity.partyId,
    id: identity.id,
    currency: description.currency,
    ...(description.type && { type: description.type }),
    ...(description.tariff_alt_text && { tariff_alt_text: description.tariff_alt_text }),
    ...(description.tariff_alt_url && { tariff_alt_url: description.tariff_alt_url }),
    ...(description.min_price !== undefined && { min_price: priceOf(description.min_price, description.vat) }),
    ...(description.max_price !== undefined && { max_price: priceOf(description.max_price, description.vat) }),
    elements,
    last_updated: identity.lastUpdated,
  };
  const checked = validateTariff(tariff);
  // The description schema admits only what builds a valid tariff; anything else is a bug here.
  if (!checked.ok) throw new Error(`built an invalid tariff: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return tariff;
}

function componentsOf(prices: Prices, d: TariffDescription): PriceComponent[] {
  const vat = d.vat === null ? {} : { vat: d.vat };
  const steps = d.step_size ?? {};
  const components: PriceComponent[] = [];
  if (prices.flat !== undefined) components.push({ type: 'FLAT', price: prices.flat, ...vat, step_size: FLAT_STEP_SIZE });
  if (prices.energy !== undefined) components.push({ type: 'ENERGY', price: prices.energy, ...vat, step_size: steps.energy ?? 1 });
  if (prices.time !== undefined) components.push({ type: 'TIME', price: prices.time, ...vat, step_size: steps.time ?? 1 });
  if (prices.parking !== undefined) components.push({ type: 'PARKING_TIME', price: prices.parking, ...vat, step_size: steps.parking ?? 1 });
  return components;
}

/** min_price / max_price: incl. VAT derived exactly from excl. VAT (6 decimals, half up). */
function priceOf(exclVat: number, vat: number | null): Price {
  if (vat === null) return { excl_vat: exclVat };
  const incl = new Decimal(exclVat).times(new Decimal(100).plus(vat)).dividedBy(100).toDecimalPlaces(6, Decimal.ROUND_HALF_UP);
  return { excl_vat: exclVat, incl_vat: incl.toNumber() };
}

/**
 * A window's restrictions. The engine (and the spec) evaluates day_of_week at each moment, so a
 * window "Friday 22:00–06:00" written as one element would hold on Friday until midnight only. A
 * wrapping window with days is therefore two elements: its days until midnight, and the following
 * days from midnight. Without days one element wraps as the spec describes.
 */
function windowRestrictions(window: Pick<TimeWindow, 'days' | 'start_time' | 'end_time'>): TariffRestrictions[] {
  const days = window.days && WEEK.filter((day) => window.days!.includes(day));
  const onDays = (list: readonly DayOfWeek[] | undefined) => (list ? { day_of_week: [...list] } : {});
  if (window.start_time === undefined || window.end_time === undefined) return [onDays(days)];
  const { start_time, end_time } = window;
  const wraps = end_time !== '00:00' && end_time < start_time;
  if (!wraps || !days) return [{ start_time, end_time, ...onDays(days) }];
  const nextDays = WEEK.filter((day) => days.includes(WEEK[(WEEK.indexOf(day) + 6) % 7]));
  return [
    { start_time, end_time: '00:00', ...onDays(days) },
    { start_time: '00:00', end_time, ...onDays(nextDays) },
  ];
}

/**
 * A promotion's restrictions: its window's (windowRestrictions) limited to the dates it starts on. A
 * window that wraps past midnight is always two elements, the part after midnight on the following
 * dates (start_date + 1 until end_date + 1): OCPI evaluates start_date/end_date at each moment, so one
 * element would lose the last night's hours after midnight, and hold on the first morning before the
 * first night.
 */
function promotionRestrictions(promotion: Promotion): TariffRestrictions[] {
  const dates = { start_date: promotion.start_date, end_date: promotion.end_date };
  const { start_time, end_time } = promotion;
  const wraps = start_time !== undefined && end_time !== undefined && end_time !== '00:00' && end_time < start_time;
  if (!wraps) return windowRestrictions(promotion).map((r) => ({ ...r, ...dates }));
  const days = promotion.days ?? WEEK;
  const nextDays = WEEK.filter((day) => days.includes(WEEK[(WEEK.indexOf(day) + 6) % 7]));
  const onDays = (list: readonly DayOfWeek[]) => (promotion.days ? { day_of_week: [...list] } : {});
  return [
    { start_time, end_time: '00:00', ...onDays(WEEK.filter((d) => days.includes(d))), ...dates },
    { start_time: '00:00', end_time, ...onDays(nextDays), start_date: addDays(dates.start_date, 1), end_date: addDays(dates.end_date, 1) },
  ];
}

interface PriceRun {
  fromHour: number;
  /** Exclusive, 1–24. */
  toHour: number;
  price: number;
}

/** Consecutive hours with one price become one element; hours without a price (null) none. */
function priceRuns(hourly: readonly (number | null)[]): PriceRun[] {
  const runs: PriceRun[] = [];
  hourly.forEach((price, hour) => {
    if (price === null) return;
    const last = runs[runs.length - 1];
    if (last && last.toHour === hour && last.price === price) last.toHour = hour + 1;
    else runs.push({ fromHour: hour, toHour: hour + 1, price });
  });
  return runs;
}

const hh = (hour: number) => `${String(hour % 24).padStart(2, '0')}:00`;

/** A whole day needs no time restriction; otherwise end 24 is written 00:00 ("To stop at end of the day use: 00:00"). */
function hoursOf(fromHour: number, toHour: number): Pick<TariffRestrictions, 'start_time' | 'end_time'> {
  if (fromHour === 0 && toHour === 24) return {};
  return { start_time: hh(fromHour), end_time: hh(toHour) };
}
