/**
 * OCPI 2.2.1 tariff pricing: a pure core with no I/O.
 *
 *   const checked = validateTariff(json);                      // once per tariff
 *   if (!checked.ok) throw …checked.errors;
 *   const input = toPricingInput(checked.tariff, cdr, location.time_zone);
 *   const breakdown = priceSession(input, DEFAULT_PRICING_POLICY);
 */
export type { CdrTotals, PriceAmount, PriceBreakdown, PricedLine, PricingNote, PricingNoteCode } from './breakdown';
export { compileTariff, type CompiledTariff } from './compiled-tariff';
export { priceSession } from './engine';
export { rateCdr, type CdrToRate, type Rating, type RatingNote, type RatingOptions } from './rate';
export { ratingTimeZone, utcDateTimes, type InputNote, type TimeZoneSource } from './real-world-input';
export { compareTotals, mapCdrTotals, totalsOf, type TotalDifference } from './reconcile';
export { toPricingInput, type CdrForPricing, type PricingInput, type PricingInputOptions } from './input';
export { isValidTimeZone } from './local-time';
export { DEFAULT_PRICING_POLICY, pricingPolicyFor, type MissingVatPolicy, type PricingPolicy, type RoundingMode } from './policy';
export {
  CdrDimension,
  CdrDimensionType,
  ChargingPeriod,
  DayOfWeek,
  Price,
  PriceComponent,
  ReservationRestrictionType,
  Tariff,
  TariffDimensionType,
  TariffElement,
  TariffRestrictions,
  TariffType,
} from './tariff.schema';
export { validateTariff, type TariffValidation, type ValidationError } from './validate';
export { chargerCostCheck, type ChargerCostCheck, type ChargerCostDetails } from './charger-cost';
export { ocpp21Tariff, type Ocpp21TariffNote } from './ocpp21-tariff';
