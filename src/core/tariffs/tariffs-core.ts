/**
 * The hub's own tariffs: an operator's description (simple, time-of-use, dynamic day-ahead) turned
 * into an OCPI 2.2.1 Tariff. Pure, no I/O.
 *
 *   const parsed = parseTariffDescription(json);            // errors name the field
 *   const pruned = pruneDayAhead(parsed.value, now);         // dynamic only
 *   const tariff = buildOwnTariff(pruned.value, { countryCode, partyId, id, lastUpdated });
 */
export { audienceOf, partyKey, sessionTariffId, type TariffAudience, type TariffAudiences, tariffIdsFor, visibleTo, withTariffIdsFor } from './audience';
export { buildOwnTariff, type TariffIdentity } from './build';
export { addDays, localDateOf, mergeDayAhead, oldestKeptDate, pruneDayAhead } from './day-ahead';
export {
  DayAheadUpdate,
  DEFAULT_KEEP_PAST_DAYS,
  type DynamicTariffDescription,
  HourlyPrices,
  MAX_DAY_AHEAD_DATES,
  MAX_PRICE_DECIMALS,
  type Parsed,
  parseDayAheadUpdate,
  parsePromotion,
  Promotion,
  parseTariffDescription,
  TariffDescription,
} from './description';
