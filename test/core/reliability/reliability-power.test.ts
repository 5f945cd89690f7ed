import { OFFER_SETTLE_MS, offerAt, powerShortfalls, transactionPower, type PowerOffer } from '../../../src/core/reliability/reliability-core';

const M = 60_000;
const H = 60 * M;
const T = Date.UTC(2026, 2, 1, 10);

describe('offered against delivered power of an own transaction', () => {
  const offers: PowerOffer[] = [{ from: T - H, watts: 11_000 }, { from: T + H, watts: 7_000 }];

  it('finds the offer in force (none before the first)', () => {
    expect(offerAt(offers, T - 2 * H)).toBeUndefined();
    expect(offerAt(offers, T)).toEqual(offers[0]);
    expect(offerAt(offers, T + H)).toEqual(offers[1]);
  });

  it('judges each reading with power drawn against the offer in force: measured power first, else the register\'s rise', () => {
    const { samples } = transactionPower(offers, [
      { at: T, registerWh: 0 },
      { at: T + 30 * M, registerWh: 5_000, powerW: 10_000 }, // measured: 10 kW
      { at: T + 45 * M, registerWh: 6_000 }, // 1 kWh in 15 min: 4 kW
      { at: T + H + 30 * M, registerWh: 10_000, powerW: 3_000 }, // under the 7 kW offer
    ]);
    expect(samples).toEqual([
      { at: T + 30 * M, offeredKw: 11, deliveredKw: 10 },
      { at: T + 45 * M, offeredKw: 11, deliveredKw: 4 },
      { at: T + H + 30 * M, offeredKw: 7, deliveredKw: 3 },
    ]);
    expect(powerShortfalls(samples, T, T + 2 * H)).toEqual({ samples: 3, shortfalls: 2 });
  });

  it('leaves out readings with nothing drawn, a new offer still settling, an offer of 0, a car-bound offer, and no offer at all', () => {
    const { samples } = transactionPower(
      [{ from: T, watts: 11_000 }, { from: T + 20 * M, watts: 0 }, { from: T + 30 * M, watts: 4_000, carBound: true }],
      [
        { at: T, registerWh: 0 },
        { at: T + OFFER_SETTLE_MS - 1, registerWh: 100 }, // the EV still follows the offer
        { at: T + 10 * M, registerWh: 100 }, // nothing drawn (full, or pausing itself)
        { at: T + 25 * M, powerW: 500 }, // paused by the site
        { at: T + 40 * M, powerW: 2_000 }, // the car's own cap
      ],
    );
    expect(samples).toEqual([]);
    expect(transactionPower([], [{ at: T, registerWh: 0 }, { at: T + H, registerWh: 1_000, powerW: 1_000 }])).toEqual({ samples: [] });
  });

  it('expects the offer over the time energy flowed, the car\'s own draw under a car-bound offer, nothing while nothing flowed', () => {
    const result = transactionPower(
      [{ from: T - M, watts: 10_000 }, { from: T + 30 * M, watts: 3_000, carBound: true }],
      [
        { at: T, registerWh: 0 },
        { at: T + 15 * M, registerWh: 2_000 }, // 15 min at 10 kW offered: 2.5 kWh expected
        { at: T + 20 * M, registerWh: 2_000 }, // nothing flowed: nothing expected
        { at: T + 40 * M, registerWh: 3_000 }, // 10 min at 10 kW (2500/1.5 Wh) then 10 min car-bound (half of 1 kWh)
      ],
    );
    expect(result.expectedEnergyWh).toBeCloseTo(2_500 + 10_000 / 6 + 500, 6);
  });

  it('has no expected energy when the transaction began before any offer (partly outside load management)', () => {
    expect(transactionPower([{ from: T + 10 * M, watts: 10_000 }], [{ at: T, registerWh: 0 }, { at: T + H, registerWh: 5_000 }]).expectedEnergyWh).toBeUndefined();
  });
});
