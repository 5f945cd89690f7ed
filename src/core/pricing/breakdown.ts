/** What the engine returns: every CDR total, the lines they are made of, and anything a reviewer should know. */
import type { TariffDimensionType } from './tariff.schema';

/**
 * OCPI Price (types). `incl_vat` is absent when it cannot be computed, i.e. when a priced component has no `vat`:
 * "Not providing a VAT is different from 0% VAT" (mod_tariffs, PriceComponent.vat).
 */
export interface PriceAmount {
  excl_vat: number;
  incl_vat?: number;
}

/** The CDR totals (mod_cdrs, CDR object), with money as OCPI Price and quantities in kWh and hours. */
export interface CdrTotals {
  total_cost: PriceAmount;
  total_fixed_cost: PriceAmount;
  total_energy: number;
  total_energy_cost: PriceAmount;
  total_time: number;
  total_time_cost: PriceAmount;
  total_parking_time: number;
  total_parking_cost: PriceAmount;
  total_reservation_cost: PriceAmount;
}

/** One Price Component's share of the session, after step_size. Quantities are in the dimension's unit. */
export interface PricedLine {
  dimension: TariffDimensionType;
  /** True when this line prices a reservation (an element with a `reservation` restriction). */
  reservation: boolean;
  elementIndex: number;
  componentIndex: number;
  price: number;
  vat: number | undefined;
  stepSize: number;
  /** Metered quantity: kWh for ENERGY, hours for TIME and PARKING_TIME, 1 for FLAT. */
  measured: number;
  /** Quantity billed after step_size (equal to `measured` except on the line that absorbed the rounding). */
  billed: number;
  cost: PriceAmount;
}

export type PricingNoteCode =
  /** A priced component has no `vat`, so incl_vat cannot be computed. */
  | 'VAT_UNKNOWN'
  /** min_price or max_price moved total_cost; the per-dimension totals are left as metered. */
  | 'PRICE_LIMIT_APPLIED'
  /** A period crosses a restriction boundary; its energy was apportioned assuming constant power. */
  | 'PERIOD_SPLIT_INTERPOLATED'
  /** A period's current or power straddles a restriction threshold, which the CDR should have split. */
  | 'MEASUREMENT_STRADDLES_THRESHOLD'
  /** A current/power restriction could not be evaluated because the period does not report it. */
  | 'MEASUREMENT_MISSING'
  /** Something the session consumed matched no Price Component, so it is free. */
  | 'NO_PRICE_COMPONENT'
  /** The session started outside the tariff's start_date_time / end_date_time. */
  | 'TARIFF_NOT_ACTIVE'
  /** A charging period names a different tariff_id than the tariff being applied. */
  | 'TARIFF_ID_MISMATCH'
  /** An element lists two Price Components of one dimension; only the first can be active. */
  | 'DUPLICATE_DIMENSION'
  /** The input periods were not in chronological order and were sorted. */
  | 'PERIODS_OUT_OF_ORDER'
  /** A period reports more consumption time than its start-to-end duration allows. */
  | 'VOLUMES_EXCEED_PERIOD'
  /** A negative (or non-finite) volume was read as zero; OCPI 2.2.1 tariffs do not price energy fed to the grid. */
  | 'INVALID_VOLUME'
  /** The time zone is not a valid IANA name; local-time restrictions were evaluated in UTC. */
  | 'INVALID_TIME_ZONE'
  /** The CDR has no charging periods. */
  | 'NO_CHARGING_PERIODS';

export interface PricingNote {
  code: PricingNoteCode;
  message: string;
  /** The moment (UTC, ISO 8601) the note refers to, when there is one. */
  at?: string;
}

export interface PriceBreakdown extends CdrTotals {
  currency: string;
  tariffId: string;
  lines: PricedLine[];
  /** Which price limit moved total_cost, if any. */
  limitApplied?: 'MIN_PRICE' | 'MAX_PRICE';
  notes: PricingNote[];
}
