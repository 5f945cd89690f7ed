/** Builders for pricing tests: spec fixtures, and CDRs written the way the spec's examples narrate sessions. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_PRICING_POLICY,
  priceSession,
  toPricingInput,
  validateTariff,
  type CdrForPricing,
  type ChargingPeriod,
  type PriceBreakdown,
  type PricingInputOptions,
  type PricingPolicy,
  type Tariff,
} from '../../../src/core/pricing/pricing-core';
import { OCPI_2_2_1_EXAMPLES } from '../../support/spec-examples';

/** The spec's example JSON files (unmodified copies in test/fixtures). */
export const EXAMPLES_DIR = OCPI_2_2_1_EXAMPLES;

export function readExample(file: string): unknown {
  return JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

export function exampleTariff(file: string): Tariff {
  return tariffOf(readExample(file));
}

export function tariffOf(json: unknown): Tariff {
  const checked = validateTariff(json);
  if (!checked.ok) throw new Error(`invalid tariff: ${JSON.stringify(checked.errors)}`);
  return checked.tariff;
}

/** One stretch of a session. Volumes follow from its length; `kwh` adds ENERGY, `dimensions` anything else. */
export interface Stretch {
  minutes: number;
  /** charging = TIME (+ ENERGY), energy = ENERGY only, parking = PARKING_TIME, reservation = RESERVATION_TIME. */
  kind: 'charging' | 'energy' | 'parking' | 'reservation';
  kwh?: number;
  dimensions?: ChargingPeriod['dimensions'];
}

/** A CDR with one charging period per stretch, starting at `startUtc`. */
export function cdrOf(startUtc: string, stretches: Stretch[]): CdrForPricing {
  let at = Date.parse(startUtc);
  const charging_periods: ChargingPeriod[] = stretches.map((stretch) => {
    const start = at;
    at += stretch.minutes * 60_000;
    const hours = stretch.minutes / 60;
    const dimensions: ChargingPeriod['dimensions'] = [];
    if (stretch.kind === 'charging') dimensions.push({ type: 'TIME', volume: hours });
    if (stretch.kind === 'parking') dimensions.push({ type: 'PARKING_TIME', volume: hours });
    if (stretch.kind === 'reservation') dimensions.push({ type: 'RESERVATION_TIME', volume: hours });
    if (stretch.kwh !== undefined) dimensions.push({ type: 'ENERGY', volume: stretch.kwh });
    dimensions.push(...(stretch.dimensions ?? []));
    return { start_date_time: iso(start), dimensions };
  });
  return { start_date_time: iso(Date.parse(startUtc)), end_date_time: iso(at), charging_periods };
}

export function price(
  tariff: Tariff,
  cdr: CdrForPricing,
  {
    timeZone = 'Europe/Berlin',
    policy = DEFAULT_PRICING_POLICY,
    options,
  }: { timeZone?: string; policy?: PricingPolicy; options?: PricingInputOptions } = {},
): PriceBreakdown {
  return priceSession(toPricingInput(tariff, cdr, timeZone, options), policy);
}

/** A one-element tariff around the given components and restrictions, for unit tests. */
export function tariffWith(elements: unknown[], extra: Record<string, unknown> = {}): Tariff {
  return tariffOf({
    country_code: 'DE',
    party_id: 'ALL',
    id: 'T1',
    currency: 'EUR',
    elements,
    last_updated: '2024-01-01T00:00:00Z',
    ...extra,
  });
}

export function policyWith(overrides: Partial<PricingPolicy>): PricingPolicy {
  return { ...DEFAULT_PRICING_POLICY, ...overrides };
}

/** Billed quantity per line, e.g. { 'TIME@0': 0.35 } (hours for time, kWh for energy). */
export function billedByLine(breakdown: PriceBreakdown): Record<string, number> {
  return Object.fromEntries(breakdown.lines.map((l) => [`${l.dimension}@${l.elementIndex}`, l.billed]));
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
