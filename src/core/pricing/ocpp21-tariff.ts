/**
 * An OCPI tariff as an OCPP 2.1 TariffType (SetDefaultTariff), pure: the station's local cost
 * calculation then runs on the same prices, conditions and taxes the hub's pricing engine applies to
 * the CDR. Each OCPI price component becomes a price of its dimension (ENERGY → energy per kWh, TIME →
 * chargingTime per minute, PARKING_TIME → idleTime per minute, FLAT → fixedFee; a reservation element's
 * TIME and FLAT → reservationTime and reservationFixed), in element order, with the element's
 * restrictions as its conditions (OCPP 2.1 takes the first price whose conditions hold, as OCPI takes
 * the first element). What 2.1 cannot say is named in `notes`: step sizes (2.1 has none, so a
 * station's figure may be below the CDR's by up to one step) and several VAT rates in one dimension.
 */
import type { PriceComponent, Tariff, TariffRestrictions } from './tariff.schema';

export interface Ocpp21TariffNote {
  code: 'STEP_SIZE' | 'SEVERAL_VAT_RATES' | 'RESERVATION_EXPIRES';
  message: string;
}

type Conditions = Record<string, unknown>;
type DimensionPrices = { prices: Record<string, unknown>[]; taxRates?: { type: string; tax: number }[] };

const DAY: Record<string, string> = {
  MONDAY: 'Monday',
  TUESDAY: 'Tuesday',
  WEDNESDAY: 'Wednesday',
  THURSDAY: 'Thursday',
  FRIDAY: 'Friday',
  SATURDAY: 'Saturday',
  SUNDAY: 'Sunday',
};

/** OCPI restrictions as OCPP 2.1 TariffConditionsType (kWh → Wh, kW → W; durations in seconds in both). */
function conditionsOf(r: TariffRestrictions | null | undefined, fixed: boolean): Conditions | undefined {
  if (!r) return undefined;
  const c: Conditions = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) c[key] = value;
  };
  set('startTimeOfDay', r.start_time);
  set('endTimeOfDay', r.end_time);
  if (r.day_of_week?.length) c.dayOfWeek = r.day_of_week.map((d) => DAY[d]);
  set('validFromDate', r.start_date);
  set('validToDate', r.end_date);
  if (!fixed) {
    // TariffConditionsFixedType has only the time, date and EVSE conditions.
    if (r.min_kwh != null) c.minEnergy = r.min_kwh * 1000;
    if (r.max_kwh != null) c.maxEnergy = r.max_kwh * 1000;
    set('minCurrent', r.min_current);
    set('maxCurrent', r.max_current);
    if (r.min_power != null) c.minPower = r.min_power * 1000;
    if (r.max_power != null) c.maxPower = r.max_power * 1000;
    set('minTime', r.min_duration);
    set('maxTime', r.max_duration);
  }
  return Object.keys(c).length ? c : undefined;
}

const round = (n: number) => Math.round(n * 1e9) / 1e9;

export function ocpp21Tariff(tariff: Tariff): { tariff: Record<string, unknown>; notes: Ocpp21TariffNote[] } {
  const notes: Ocpp21TariffNote[] = [];
  const dims: Record<string, DimensionPrices & { vats: Set<number | null> }> = {};
  const add = (dimension: string, price: Record<string, unknown>, component: PriceComponent) => {
    const d = (dims[dimension] ??= { prices: [], vats: new Set() });
    d.prices.push(price);
    d.vats.add(component.vat ?? null);
  };
  for (const element of tariff.elements) {
    const reservation = element.restrictions?.reservation;
    if (reservation === 'RESERVATION_EXPIRES') {
      notes.push({ code: 'RESERVATION_EXPIRES', message: 'OCPP 2.1 has no price for an expired reservation; that element is left out' });
      continue;
    }
    for (const component of element.price_components) {
      const fixed = component.type === 'FLAT';
      const conditions = conditionsOf(element.restrictions, fixed);
      const withConditions = (price: Record<string, unknown>) => (conditions ? { ...price, conditions } : price);
      if (component.step_size > 1 && component.type !== 'FLAT') {
        notes.push({ code: 'STEP_SIZE', message: `${component.type} is billed in steps of ${component.step_size} in the CDR; OCPP 2.1 has no step size` });
      }
      if (component.type === 'ENERGY') add('energy', withConditions({ priceKwh: component.price }), component);
      else if (component.type === 'TIME') add(reservation ? 'reservationTime' : 'chargingTime', withConditions({ priceMinute: round(component.price / 60) }), component);
      else if (component.type === 'PARKING_TIME') add('idleTime', withConditions({ priceMinute: round(component.price / 60) }), component);
      else add(reservation ? 'reservationFixed' : 'fixedFee', withConditions({ priceFixed: component.price }), component);
    }
  }
  const out: Record<string, unknown> = { tariffId: tariff.id, currency: tariff.currency };
  const texts = (tariff.tariff_alt_text ?? []).slice(0, 10).map((t) => ({ format: 'UTF8', language: t.language, content: t.text.slice(0, 1024) }));
  if (texts.length) out.description = texts;
  if (tariff.start_date_time) out.validFrom = tariff.start_date_time;
  for (const [dimension, d] of Object.entries(dims)) {
    const vats = [...d.vats];
    if (vats.length > 1) notes.push({ code: 'SEVERAL_VAT_RATES', message: `${dimension} has several VAT rates; OCPP 2.1 takes one per dimension (the first)` });
    const vat = vats[0];
    out[dimension] = { prices: d.prices, ...(vat !== null && vat !== undefined && { taxRates: [{ type: 'VAT', tax: vat }] }) };
  }
  const cost = (p: { excl_vat: number; incl_vat?: number | null }) => ({ exclTax: p.excl_vat, ...(p.incl_vat != null && { inclTax: p.incl_vat }) });
  if (tariff.min_price) out.minCost = cost(tariff.min_price);
  if (tariff.max_price) out.maxCost = cost(tariff.max_price);
  return { tariff: out, notes: [...new Map(notes.map((n) => [n.message, n])).values()] };
}
