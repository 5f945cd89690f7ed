/**
 * Offered against delivered power of an own charger's transaction (docs/reliability.md, "Offered
 * power"): the power samples of the `power_shortfall` signal and the expected energy of "energy
 * delivered vs expected", from the offers the load manager put into force on the connector and the
 * transaction's meter values.
 *
 * - An **offer** holds from its `from` until the next one. One that is the car's own (the load
 *   manager's give-back: the car drew well below its limit, so it was capped near its draw) says what
 *   the car wanted, not what the site could give: no sample is judged under it, and the energy
 *   expected under it is what the car drew.
 * - A **sample** is judged at each meter value with power drawn (the measured Power.Active.Import, else
 *   the register's rise since the previous value): offered = the offer in force, delivered = that power.
 *   Left out: no offer known (a charger outside load management), an offer of 0 (paused), the first
 *   OFFER_SETTLE_MS of an offer (the EV follows a new limit, IEC 61851-1 gives it seconds to lower and
 *   cars ramp up slower), and nothing drawn (an EV full or pausing itself is not a charger delivering
 *   less: a charger that delivers nothing shows as a failed start or an abnormal end).
 * - **Expected energy**: Σ over consecutive register readings in which energy flowed of the offer
 *   integrated over that interval (the car's own offers: the energy it drew). Intervals with no energy
 *   count nothing (a full battery does not count against the charger). Known only when an offer was in
 *   force at the transaction's first reading: a transaction partly outside load management has none.
 *   Not capped by what the EV asked: the hub keeps no energy request per transaction (the allocation
 *   reads the EV's needs, but does not store them); intervals with no energy stand in for it.
 */
import type { PowerSample } from './reliability-input';

export interface PowerOffer {
  from: number;
  watts: number;
  /** The offer was capped at the car's own draw (give-back): it says what the car wanted. */
  carBound?: boolean;
}

export interface TransactionReading {
  at: number;
  /** Energy register, Wh. */
  registerWh?: number;
  /** Measured active power, W. */
  powerW?: number;
}

/** An offer this new is not judged: the EV is still following the change. */
export const OFFER_SETTLE_MS = 60_000;

/** The offer in force at `at` (offers in time order), if any. */
export function offerAt(offers: PowerOffer[], at: number): PowerOffer | undefined {
  let found: PowerOffer | undefined;
  for (const o of offers) {
    if (o.from > at) break;
    found = o;
  }
  return found;
}

/**
 * The power samples and the expected energy of one transaction: `offers` of its connector in time
 * order (the one in force at its start first), `readings` of the transaction in time order (its start
 * and stop registers included).
 */
export function transactionPower(offers: PowerOffer[], readings: TransactionReading[]): { samples: PowerSample[]; expectedEnergyWh?: number } {
  const samples: PowerSample[] = [];
  let previous: TransactionReading | undefined;
  for (const r of readings) {
    const rate =
      r.powerW ??
      (previous?.registerWh !== undefined && r.registerWh !== undefined && r.at > previous.at ? ((r.registerWh - previous.registerWh) * 3_600_000) / (r.at - previous.at) : undefined);
    if (r.registerWh !== undefined) previous = r;
    const offer = offerAt(offers, r.at);
    if (rate === undefined || rate <= 0 || !offer || offer.carBound || offer.watts <= 0 || r.at - offer.from < OFFER_SETTLE_MS) continue;
    samples.push({ at: r.at, offeredKw: offer.watts / 1000, deliveredKw: rate / 1000 });
  }
  const registers = readings.filter((r) => r.registerWh !== undefined);
  if (registers.length < 2 || !offerAt(offers, registers[0].at)) return { samples };
  let expected = 0;
  for (let i = 1; i < registers.length; i++) {
    const a = registers[i - 1];
    const b = registers[i];
    const drawn = b.registerWh! - a.registerWh!;
    if (drawn <= 0 || b.at <= a.at) continue;
    // The offer's pieces over [a, b]: the site's integrated, the car's own taken as what it drew then.
    for (let j = 0; j < offers.length; j++) {
      const from = Math.max(a.at, offers[j].from);
      const to = Math.min(b.at, j + 1 < offers.length ? offers[j + 1].from : Infinity);
      if (to <= from) continue;
      expected += offers[j].carBound ? (drawn * (to - from)) / (b.at - a.at) : (offers[j].watts * (to - from)) / 3_600_000;
    }
  }
  return { samples, expectedEnergyWh: expected };
}
