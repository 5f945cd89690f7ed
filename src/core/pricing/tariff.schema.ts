/**
 * Strict zod schemas for the OCPI 2.2.1 objects the pricing engine reads (mod_tariffs, mod_cdrs, types).
 *
 * Every object is a `z.strictObject`, so a misspelt key (`"restriction"`, `"stepSize"`) is an error rather than a
 * silently ignored field: a misspelt `restrictions` would otherwise turn a restricted element into a fallback that
 * matches everything.
 *
 * Optional fields also accept `null`, because the spec equates the two: "Fields that are not specified may be
 * considered as null values." (mod_tariffs, GET response data).
 */
import { z } from 'zod';
import { UTC_DATE_TIME } from '../date-time';

/** TariffRestrictions.start_time: "Regex: `([0-1][0-9]|2[0-3]):[0-5][0-9]`" */
const TIME_OF_DAY = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
/** TariffRestrictions.start_date: "Regex: `([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])`" */
const LOCAL_DATE = /^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
/** CiString: "Only printable ASCII allowed." (types) */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const optional = <T extends z.ZodType>(schema: T) => schema.nullish();

export const DateTime = z.string().regex(UTC_DATE_TIME, 'must be an OCPI DateTime in UTC, e.g. 2015-06-29T20:39:09Z');
const CiString = (max: number) =>
  z.string().min(1).max(max).regex(PRINTABLE_ASCII, 'must contain only printable ASCII characters');
const NonNegative = z.number().min(0, 'must not be negative');
const NonNegativeInt = z.number().int('must be a whole number').min(0, 'must not be negative');

export const TariffDimensionType = z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']);
export type TariffDimensionType = z.infer<typeof TariffDimensionType>;

export const DayOfWeek = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);
export type DayOfWeek = z.infer<typeof DayOfWeek>;

export const ReservationRestrictionType = z.enum(['RESERVATION', 'RESERVATION_EXPIRES']);
export type ReservationRestrictionType = z.infer<typeof ReservationRestrictionType>;

export const TariffType = z.enum(['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR']);
export type TariffType = z.infer<typeof TariffType>;

/** Price class (types): `excl_vat` is required, `incl_vat` optional. */
export const Price = z.strictObject({
  excl_vat: NonNegative,
  incl_vat: optional(NonNegative),
});
export type Price = z.infer<typeof Price>;

export const DisplayText = z.strictObject({
  language: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter ISO 639-1 language code'),
  text: z.string().max(512),
});
export type DisplayText = z.infer<typeof DisplayText>;

/** EnergyMix (mod_locations), which a Tariff may carry. */
export const EnergyMix = z.strictObject({
  is_green_energy: z.boolean(),
  energy_sources: optional(
    z.array(
      z.strictObject({
        source: z.enum(['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER']),
        percentage: z.number().min(0).max(100),
      }),
    ),
  ),
  environ_impact: optional(
    z.array(z.strictObject({ category: z.enum(['NUCLEAR_WASTE', 'CARBON_DIOXIDE']), amount: NonNegative })),
  ),
  supplier_name: optional(z.string().max(64)),
  energy_product_name: optional(z.string().max(64)),
});

export const PriceComponent = z.strictObject({
  type: TariffDimensionType,
  /** "Price per unit (excl. VAT) for this dimension." */
  price: NonNegative,
  /** "If omitted, no VAT is applicable. Not providing a VAT is different from 0% VAT" */
  vat: optional(NonNegative),
  step_size: NonNegativeInt,
});
export type PriceComponent = z.infer<typeof PriceComponent>;

export const TariffRestrictions = z.strictObject({
  start_time: optional(z.string().regex(TIME_OF_DAY, 'must be a 24h time with leading zeros, e.g. 09:30')),
  end_time: optional(z.string().regex(TIME_OF_DAY, 'must be a 24h time with leading zeros, e.g. 19:45')),
  start_date: optional(z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-24')),
  end_date: optional(z.string().regex(LOCAL_DATE, 'must be a date like 2015-12-27')),
  min_kwh: optional(NonNegative),
  max_kwh: optional(NonNegative),
  min_current: optional(NonNegative),
  max_current: optional(NonNegative),
  min_power: optional(NonNegative),
  max_power: optional(NonNegative),
  min_duration: optional(NonNegativeInt),
  max_duration: optional(NonNegativeInt),
  day_of_week: optional(z.array(DayOfWeek)),
  reservation: optional(ReservationRestrictionType),
});
export type TariffRestrictions = z.infer<typeof TariffRestrictions>;

export const TariffElement = z
  .strictObject({
    price_components: z.array(PriceComponent).min(1, 'must list at least one price component'),
    restrictions: optional(TariffRestrictions),
  })
  .superRefine((element, ctx) => {
    if (!element.restrictions?.reservation) return;
    // "A reservation can only have: FLAT and TIME TariffDimensions" (TariffRestrictions.reservation)
    element.price_components.forEach((component, index) => {
      if (component.type !== 'FLAT' && component.type !== 'TIME') {
        ctx.addIssue({
          code: 'custom',
          path: ['price_components', index, 'type'],
          message: `a reservation element can only price FLAT and TIME, not ${component.type}`,
        });
      }
    });
  });
export type TariffElement = z.infer<typeof TariffElement>;

export const Tariff = z.strictObject({
  country_code: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter ISO-3166 alpha-2 country code'),
  party_id: z.string().regex(/^[A-Za-z0-9]{3}$/, 'must be 3 letters or digits'),
  id: CiString(36),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO-4217 currency code'),
  type: optional(TariffType),
  tariff_alt_text: optional(z.array(DisplayText)),
  tariff_alt_url: optional(z.url().max(255)),
  min_price: optional(Price),
  max_price: optional(Price),
  elements: z.array(TariffElement).min(1, 'must list at least one tariff element'),
  start_date_time: optional(DateTime),
  end_date_time: optional(DateTime),
  energy_mix: optional(EnergyMix),
  last_updated: DateTime,
});
export type Tariff = z.infer<typeof Tariff>;

export const CdrDimensionType = z.enum([
  'CURRENT',
  'ENERGY',
  'ENERGY_EXPORT',
  'ENERGY_IMPORT',
  'MAX_CURRENT',
  'MIN_CURRENT',
  'MAX_POWER',
  'MIN_POWER',
  'PARKING_TIME',
  'POWER',
  'RESERVATION_TIME',
  'STATE_OF_CHARGE',
  'TIME',
]);
export type CdrDimensionType = z.infer<typeof CdrDimensionType>;

/** CdrDimension (mod_cdrs). Volumes may be negative ("When negative, more energy was feed into the grid"). */
export const CdrDimension = z.strictObject({
  type: CdrDimensionType,
  volume: z.number(),
});
export type CdrDimension = z.infer<typeof CdrDimension>;

export const ChargingPeriod = z.strictObject({
  start_date_time: DateTime,
  dimensions: z.array(CdrDimension).min(1, 'must list at least one dimension'),
  tariff_id: optional(CiString(36)),
});
export type ChargingPeriod = z.infer<typeof ChargingPeriod>;
