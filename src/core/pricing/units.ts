/** The integer units quantities are kept in, so sums and step_size rounding are exact. */
import type { TariffDimensionType } from './tariff.schema';

/** Energy in milli-watt-hours, time in milliseconds. */
export const MILLI_WH_PER_KWH = 1_000_000;
export const MS_PER_HOUR = 3_600_000;
/** step_size multipliers: "ENERGY … step_size multiplier: 1 Wh", "TIME … step_size multiplier: 1 second". */
export const UNITS_PER_STEP: Record<TariffDimensionType, number> = { ENERGY: 1000, TIME: 1000, PARKING_TIME: 1000, FLAT: 0 };
export const UNITS_PER_PRICED_UNIT: Record<TariffDimensionType, number> = {
  ENERGY: MILLI_WH_PER_KWH,
  TIME: MS_PER_HOUR,
  PARKING_TIME: MS_PER_HOUR,
  FLAT: 1,
};
