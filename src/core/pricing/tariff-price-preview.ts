import { rateCdr, type RatingNote } from './rate';
import type { CdrTotals } from './breakdown';

/** A session as the operator imagines it when checking a tariff: when, how long, how much energy. */
export interface PreviewSession {
  start: Date;
  chargingMinutes: number;
  kwh: number;
  /** Connected after charging stopped. */
  parkingMinutes: number;
  /** The charging power, when the tariff restricts by power (max_power); the mean otherwise. */
  powerKw?: number;
}

export type PricePreview = { ok: true; tariffId: string; currency: string; computed: CdrTotals; notes: RatingNote[]; end: string } | { ok: false; errors: string[] };

/**
 * What the pricing engine charges for `session` under `tariff` (the same rateCdr the CDR re-rating
 * and `ocpi-hub price` use): a CDR of one charging period (ENERGY, TIME) and, when parked, one
 * parking period (PARKING_TIME), at the location's time zone.
 */
export function previewTariffPrice(tariff: unknown, session: PreviewSession, timeZone: string): PricePreview {
  const hours = (minutes: number) => minutes / 60;
  const startMs = session.start.getTime();
  const chargingEnd = new Date(startMs + session.chargingMinutes * 60_000);
  const end = new Date(chargingEnd.getTime() + session.parkingMinutes * 60_000);
  const power = session.powerKw ?? (session.chargingMinutes > 0 ? session.kwh / hours(session.chargingMinutes) : 0);
  const periods = [
    {
      start_date_time: session.start.toISOString(),
      dimensions: [
        { type: 'ENERGY', volume: session.kwh },
        { type: 'TIME', volume: hours(session.chargingMinutes) },
        ...(power > 0 ? [{ type: 'MAX_POWER', volume: power }] : []),
      ],
    },
    ...(session.parkingMinutes > 0 ? [{ start_date_time: chargingEnd.toISOString(), dimensions: [{ type: 'PARKING_TIME', volume: hours(session.parkingMinutes) }] }] : []),
  ];
  const rating = rateCdr(tariff, { start_date_time: session.start.toISOString(), end_date_time: end.toISOString(), charging_periods: periods } as never, timeZone, 0);
  if (!rating.ok) return { ok: false, errors: rating.errors.map((e) => `${e.path}: ${e.message}`) };
  return { ok: true, tariffId: rating.tariffId, currency: rating.currency, computed: rating.computed, notes: rating.notes.filter((n) => n.code !== 'ENERGY_NOT_CHECKED'), end: end.toISOString() };
}
