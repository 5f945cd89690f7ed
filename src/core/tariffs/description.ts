/**
 * What an operator writes to publish a tariff for the hub's own charge points: prices in plain terms
 * (per kWh, per hour, per session), not OCPI TariffElements. Three kinds:
 *
 *   simple       one set of prices at all times;
 *   time_of_use  windows (by weekday and time of day) with their own prices, over the base prices;
 *   dynamic      day-ahead hourly energy prices per date, over the base prices.
 *
 * The base `prices` are always the last element, with no restrictions, so a moment no window or hour
 * covers is priced by them: nothing is ever free by accident. For the same reason every dimension a
 * window prices must have a base price too (write 0 to make it free on purpose).
 *
 * Strict objects: a misspelt key ("price" for "prices") is an error, never silently a free session.
 */
import { z } from 'zod';
import { isValidTimeZone } from '../pricing/local-time';
import { decimalPlacesOf } from '../pricing/money';
import type { ValidationError } from '../pricing/pricing-core';
import { DayOfWeek, DisplayText, TariffType } from '../pricing/tariff.schema';
import { formatIssuePath } from './issues';

/** Decimal places a price may have: €/kWh day-ahead prices have 5 or 6, and more is a float accident (0.1 + 0.2). */
export const MAX_PRICE_DECIMALS = 6;
/** Dates a dynamic tariff may hold at once (after old ones are pruned); 24 elements at most per date. */
export const MAX_DAY_AHEAD_DATES = 31;
export const DEFAULT_KEEP_PAST_DAYS = 1;

const TIME_OF_DAY = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
const LOCAL_DATE = /^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

/** A price excl. VAT in the tariff's currency. */
const Money = z
  .number()
  .finite()
  .min(0, 'must not be negative (OCPI prices are never negative)')
  .refine((v) => decimalPlacesOf(v) <= MAX_PRICE_DECIMALS, `must have at most ${MAX_PRICE_DECIMALS} decimals`);

const Prices = z.strictObject({
  /** Per kWh. */
  energy: Money.optional(),
  /** Per hour of charging. */
  time: Money.optional(),
  /** Per hour connected but not charging. */
  parking: Money.optional(),
  /** Per session. */
  flat: Money.optional(),
});
export type Prices = z.infer<typeof Prices>;

const WindowPrices = z.strictObject({ energy: Money.optional(), time: Money.optional(), parking: Money.optional() });

const StepSize = z.number().int('must be a whole number').min(1, 'must be at least 1').max(86_400, 'must be at most 86400');
const StepSizes = z.strictObject({
  /** Wh (OCPI step_size of ENERGY). */
  energy: StepSize.optional(),
  /** Seconds (TIME). */
  time: StepSize.optional(),
  /** Seconds (PARKING_TIME). */
  parking: StepSize.optional(),
});
export type StepSizes = z.infer<typeof StepSizes>;

const LocalDate = z
  .string()
  .regex(LOCAL_DATE, 'must be a date like 2026-11-22')
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a calendar date');

/** 24 prices per kWh, one per local hour of the date (index 0 is 00:00–01:00); null leaves the hour to the fallback. */
export const HourlyPrices = z
  .array(Money.nullable())
  .length(24, 'must list 24 hourly prices (index 0 = 00:00–01:00 local time; null for an hour without a price)');
export type HourlyPrices = z.infer<typeof HourlyPrices>;

/** An eMSP party as `CC/PID` (country code and party id, e.g. `NL/ABC`). */
export const EmspParty = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{2}\/[A-Z0-9]{3}$/, 'must be an eMSP party like NL/ABC (country code / party id)'));

/**
 * A time-limited promotion: cheaper prices over local dates [start_date, end_date) and, optionally,
 * on some weekdays and in a time window (which may wrap past midnight). Published as restricted
 * elements before every other element, so it wins wherever it holds.
 */
export const Promotion = z.strictObject({
  /** Names it for removal: 1–36 letters, digits, `-` or `_`. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,36}$/, 'must be 1 to 36 letters, digits, - or _'),
  /** First local date the promotion's window starts on. */
  start_date: LocalDate,
  /** First local date it no longer starts on (exclusive, as OCPI end_date). */
  end_date: LocalDate,
  days: z.array(DayOfWeek).min(1, 'must name at least one day (leave days out for every day)').optional(),
  start_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 23:00').optional(),
  end_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 07:00').optional(),
  prices: WindowPrices,
});
export type Promotion = z.infer<typeof Promotion>;

const ReservationPrices = z.strictObject({ flat: Money.optional(), time: Money.optional() });

/**
 * What an unused booking costs (OCPI reservation restrictions): `flat` per reservation and `time` per
 * hour reserved (RESERVATION elements); `expired` what a reservation that expires without a session
 * costs instead, where it prices a dimension (RESERVATION_EXPIRES elements, which OCPI lets win).
 */
const Reservation = ReservationPrices.extend({ expired: ReservationPrices.optional() });

const Common = {
  /** Prices of an unused booking (no-show, late cancellation); absent: they cost nothing. */
  reservation: Reservation.optional(),
  /**
   * The eMSPs this tariff is offered to (by roaming agreement); absent: public, every eMSP and the
   * driver paying ad hoc. A scoped tariff is pushed only to these eMSPs and prices only their drivers.
   */
  emsps: z.array(EmspParty).min(1, 'must name at least one eMSP (leave emsps out for a public tariff)').max(100).optional(),
  /** Time-limited discounts, first listed wins where they overlap. */
  promotions: z.array(Promotion).max(20).optional(),
  /** ISO 4217, e.g. EUR. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code in capitals, e.g. EUR'),
  /**
   * VAT percentage of every component, required so it is never left out by mistake: OCPI reads an
   * absent VAT as "no VAT applicable", which is not 0 %. null says exactly that.
   */
  vat: z.number().finite().min(0).max(100).nullable(),
  type: TariffType.optional(),
  tariff_alt_text: z.array(DisplayText).max(10).optional(),
  tariff_alt_url: z.url().max(255).optional(),
  /** Excl. VAT; incl. VAT is derived from `vat`. */
  min_price: Money.optional(),
  max_price: Money.optional(),
  step_size: StepSizes.optional(),
  /** The base prices: all other times, and the fallback of every window and hour. */
  prices: Prices,
};

const TimeWindow = z.strictObject({
  /** The weekdays the window starts on; all days when absent. */
  days: z.array(DayOfWeek).min(1, 'must name at least one day (leave days out for every day)').optional(),
  /** Local time the window starts; with end_time. Absent both: the whole day. */
  start_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 07:00').optional(),
  /** Local time the window ends (exclusive); before start_time it wraps past midnight; 00:00 is midnight. */
  end_time: z.string().regex(TIME_OF_DAY, 'must be a 24h time like 21:00').optional(),
  prices: WindowPrices,
});
export type TimeWindow = z.infer<typeof TimeWindow>;

const Simple = z.strictObject({ kind: z.literal('simple'), ...Common });

const TimeOfUse = z.strictObject({
  kind: z.literal('time_of_use'),
  ...Common,
  /** The first window that holds wins where windows overlap. */
  windows: z.array(TimeWindow).min(1, 'must list at least one window').max(50),
});

const Dynamic = z.strictObject({
  kind: z.literal('dynamic'),
  ...Common,
  /** The IANA zone the hours are local to; it must be the time_zone of the locations using the tariff. */
  time_zone: z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. Europe/Amsterdam'),
  /** Dates older than this many days before today (in time_zone) are pruned at every change. */
  keep_past_days: z.number().int().min(0).max(31).optional(),
  /** Date → 24 hourly energy prices. */
  day_ahead: z.record(LocalDate, HourlyPrices).default({}),
});

export const TariffDescription = z
  .discriminatedUnion('kind', [Simple, TimeOfUse, Dynamic], {
    error: (issue) => (issue.code === 'invalid_union' ? 'must be "simple", "time_of_use" or "dynamic"' : undefined),
  })
  .superRefine((d, ctx) => {
    const base = d.prices;
    if (d.kind === 'simple' && Object.values(base).every((p) => p === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['prices'], message: 'must price at least one of energy, time, parking, flat' });
    }
    if (d.kind === 'dynamic' && base.energy === undefined) {
      ctx.addIssue({ code: 'custom', path: ['prices', 'energy'], message: 'is required: it prices every hour without a day-ahead price' });
    }
    if (d.min_price !== undefined && d.max_price !== undefined && d.min_price > d.max_price) {
      ctx.addIssue({ code: 'custom', path: ['min_price'], message: 'must not be above max_price' });
    }
    const promotionIds = new Set<string>();
    (d.promotions ?? []).forEach((p, i) => {
      if (promotionIds.has(p.id)) ctx.addIssue({ code: 'custom', path: ['promotions', i, 'id'], message: `repeats promotion ${p.id}` });
      promotionIds.add(p.id);
      if (p.end_date <= p.start_date) ctx.addIssue({ code: 'custom', path: ['promotions', i, 'end_date'], message: 'must be after start_date (it is exclusive)' });
      if ((p.start_time === undefined) !== (p.end_time === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['promotions', i], message: 'needs both start_time and end_time, or neither (the whole day)' });
      }
      if (p.start_time !== undefined && p.start_time === p.end_time) {
        ctx.addIssue({ code: 'custom', path: ['promotions', i, 'end_time'], message: 'must differ from start_time (leave both out for the whole day)' });
      }
      requireBasePrices(p.prices, base, ['promotions', i], ctx);
    });
    if (d.reservation) {
      const { expired, ...reserved } = d.reservation;
      const none = (p: object | undefined) => !p || Object.values(p).every((v) => v === undefined);
      if (none(reserved) && none(expired)) ctx.addIssue({ code: 'custom', path: ['reservation'], message: 'must price flat or time (or expired.flat/time)' });
      if (expired && none(expired)) ctx.addIssue({ code: 'custom', path: ['reservation', 'expired'], message: 'must price flat or time' });
    }
    if (d.emsps && new Set(d.emsps).size !== d.emsps.length) ctx.addIssue({ code: 'custom', path: ['emsps'], message: 'names an eMSP twice' });
    if (d.kind === 'time_of_use') {
      d.windows.forEach((w, i) => {
        if ((w.start_time === undefined) !== (w.end_time === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['windows', i], message: 'needs both start_time and end_time, or neither (the whole day)' });
        }
        if (w.start_time !== undefined && w.start_time === w.end_time) {
          ctx.addIssue({ code: 'custom', path: ['windows', i, 'end_time'], message: 'must differ from start_time (leave both out for the whole day)' });
        }
        if (w.start_time === undefined && w.days === undefined) {
          ctx.addIssue({ code: 'custom', path: ['windows', i], message: 'needs days or start_time/end_time: a window at all times is the base prices' });
        }
        requireBasePrices(w.prices, base, ['windows', i], ctx);
      });
    }
  });

/** A window or promotion prices something, and only dimensions the base prices price too (else they would be free outside it). */
function requireBasePrices(prices: z.infer<typeof WindowPrices>, base: Prices, path: (string | number)[], ctx: z.RefinementCtx): void {
  const priced = Object.entries(prices).filter(([, p]) => p !== undefined);
  if (priced.length === 0) ctx.addIssue({ code: 'custom', path: [...path, 'prices'], message: 'must price at least one of energy, time, parking' });
  for (const [dimension] of priced) {
    if (base[dimension as keyof Prices] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'prices', dimension],
        message: `needs a base prices.${dimension} too, or ${dimension} would be free outside the window (write 0 to make it free on purpose)`,
      });
    }
  }
}
export type TariffDescription = z.infer<typeof TariffDescription>;
export type DynamicTariffDescription = Extract<TariffDescription, { kind: 'dynamic' }>;

/** One date's day-ahead prices, as the operator posts them. */
export const DayAheadUpdate = z.strictObject({ date: LocalDate, prices: HourlyPrices });
export type DayAheadUpdate = z.infer<typeof DayAheadUpdate>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

function parseWith<S extends z.ZodType>(schema: S, json: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: formatIssuePath([...issue.path, key]), message: 'is not a field here (misspelt or unknown)' }))
        : issue.code === 'invalid_key'
          ? // A record key (a day-ahead date) that is not one: say why, not just "Invalid key".
            issue.issues.map((inner) => ({ path: formatIssuePath(issue.path), message: inner.message }))
          : issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
            ? [{ path: formatIssuePath(issue.path), message: `is required (${issue.expected})` }]
            : [{ path: formatIssuePath(issue.path), message: issue.message }],
    ),
  };
}

export function parseTariffDescription(json: unknown): Parsed<TariffDescription> {
  return parseWith(TariffDescription, json);
}

export function parsePromotion(json: unknown): Parsed<Promotion> {
  return parseWith(Promotion, json);
}

export function parseDayAheadUpdate(json: unknown): Parsed<DayAheadUpdate> {
  return parseWith(DayAheadUpdate, json);
}
