/**
 * Meter values as both OCPP versions send them, read into one shape. A charger reports many measurands
 * per sample; the hub needs four: the energy register (for kWh), active power (for the load manager and
 * power restrictions), current (current restrictions) and state of charge.
 */

/** One reading of a MeterValue's sampledValue list, either version (1.6 values are strings). */
export interface SampledValue {
  value: string | number;
  context?: string;
  /** 1.6: Raw or SignedData (a signed string, not a number: core/charging/signed-meter-values.ts reads it). */
  format?: string;
  measurand?: string;
  phase?: string;
  /** 1.6 */
  unit?: string;
  /** 2.0.1 */
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

export interface MeterSample {
  at: Date;
  energyWh?: number;
  powerW?: number;
  currentA?: number;
  soc?: number;
  context?: string;
}

const ENERGY = 'Energy.Active.Import.Register';
const SCALE: Record<string, number> = { Wh: 1, kWh: 1000, W: 1, kW: 1000, A: 1, Percent: 1 };

/** The value in base units (Wh, W, A, %), or undefined when it is not a finite number in a known unit. */
function baseValue(sample: SampledValue, defaultUnit: string): number | undefined {
  const raw = typeof sample.value === 'number' ? sample.value : Number(sample.value);
  const unit = sample.unitOfMeasure?.unit ?? sample.unit ?? defaultUnit;
  const scale = SCALE[unit];
  if (!Number.isFinite(raw) || scale === undefined) return undefined;
  return raw * scale * 10 ** (sample.unitOfMeasure?.multiplier ?? 0);
}

/**
 * The total of one measurand: the value reported without a phase when there is one, otherwise the sum
 * (power, energy) or the highest (current: restrictions are per phase) of the per-phase values.
 * Line-to-line and neutral readings (L1-L2, N…) are not per-phase loads and are ignored.
 */
function total(values: SampledValue[], measurand: string, unit: string, combine: 'sum' | 'max'): number | undefined {
  const matching = values.filter((v) => v.format !== 'SignedData' && (v.measurand ?? ENERGY) === measurand && (v.phase === undefined || /^L[123](-N)?$/.test(v.phase)));
  const whole = matching.find((v) => v.phase === undefined);
  if (whole) return baseValue(whole, unit);
  const perPhase = matching.map((v) => baseValue(v, unit)).filter((n): n is number => n !== undefined);
  if (!perPhase.length) return undefined;
  return combine === 'sum' ? perPhase.reduce((a, b) => a + b, 0) : Math.max(...perPhase);
}

/** Reads one MeterValue; undefined when its timestamp is not a date (strict mode lets such strings through). */
export function readMeterValue(meterValue: MeterValue): MeterSample | undefined {
  const at = new Date(meterValue.timestamp);
  if (Number.isNaN(at.getTime())) return undefined;
  const values = meterValue.sampledValue;
  return {
    at,
    energyWh: total(values, ENERGY, 'Wh', 'sum'),
    powerW: total(values, 'Power.Active.Import', 'W', 'sum'),
    currentA: total(values, 'Current.Import', 'A', 'max'),
    soc: total(values, 'SoC', 'Percent', 'max'),
    context: values[0]?.context,
  };
}
